"""Run `storedesk` as a real subprocess in tests: free ports, a clean environment, waiting.

A child process must not think it is under pytest (that would turn on immediate-mode queues
and test settings), and must not share the parent's databases, queue or Redis keys.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from django.db import connection

STOREDESK = str(Path(sys.executable).with_name("storedesk"))
REPO_ROOT = Path(__file__).resolve().parents[2]
_TEST_ONLY_VARS = ("PYTEST_VERSION", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                   "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST", "STOREDESK_TEST_RUN_ID",
                   "STOREDESK_TESTING", "STOREDESK_QUEUE_IMMEDIATE", "DJANGO_SETTINGS_MODULE")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(data_dir: Path, **overrides: str | None) -> dict[str, str]:
    """The parent's environment minus pytest's markers, with its own data dir and key prefix.

    An override of None removes the variable.
    """
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY_VARS}
    run = secrets.token_hex(4)
    env.update({
        "STOREDESK_DATA_DIR": str(data_dir),
        "STOREDESK_QUEUE_NAME": f"storedesk-child-{run}",
        "STOREDESK_CACHE_PREFIX": f"storedesk-child-{run}",
        "STOREDESK_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def postgres_url(dbname: str) -> str:
    """A DATABASE_URL for another database on the server the tests use."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:"
            f"{s.get('PORT') or 5432}/{dbname}")


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database for a child process; drop it afterwards."""
    import psycopg

    name = f"storedesk_child_{secrets.token_hex(6)}"
    admin = postgres_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own console script with test arguments
        [STOREDESK, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL, check=False,
    )


class Server:
    """A `storedesk demo|serve` child process and its output file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_handle = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own console script
            [STOREDESK, *args], env=env, cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
            stdout=self._log_handle, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self) -> str:
        self._log_handle.flush()
        return self.log.read_text(errors="replace")

    def wait_for(self, url: str, *, timeout: float = 120, expect_any_status: bool = False
                 ) -> httpx.Response:
        """Poll until the URL answers (2xx, or any status when asked); fail with the log."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n"
                                     f"{self.output()}")
            try:
                # Generous: a down PostgreSQL behind psycopg's pool answers after the pool's
                # own timeout (10 s), and that answer is what the health tests want.
                response = httpx.get(url, timeout=30)
            except httpx.HTTPError as exc:
                last = exc
            else:
                if expect_any_status or response.is_success:
                    return response
                last = response
            time.sleep(0.2)
        raise AssertionError(f"{url} did not answer in {timeout}s (last: {last!r}):\n"
                             f"{self.output()}")

    def wait_for_output(self, text: str, *, count: int = 1, timeout: float = 120) -> str:
        """Poll the child's output until `text` appears `count` times; fail with the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.output()
            if output.count(text) >= count:
                return output
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{text!r} x{count} not seen (exit {self.process.poll()}):\n"
                             f"{self.output()}")

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl-C, as a person at the terminal would; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._log_handle.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._log_handle.close()


@contextmanager
def server(args: list[str], env: dict[str, str], log: Path) -> Iterator[Server]:
    child = Server(args, env, log)
    try:
        yield child
    finally:
        child.kill()
