"""Real Huey consumers in subprocesses, on the test's own database and a queue of their own.

Fixtures (registered in the root conftest): `real_queue` switches this test process from the
immediate queue to a real one, `start_worker(name, env=..., workers=...)` starts
`manage.py run_huey` against it and kills whatever is still running at the end.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

# Upper bounds for waiting on other processes: liveness guards, not timing assertions.
WAIT_SECONDS = 90


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def real_queue() -> Iterator[str]:
    """A real queue of its own (a fresh name in the run's queue storage) that the test process
    enqueues into and the worker subprocesses consume; nothing else (another xdist worker, a
    demo) shares it."""
    name = f"{HUEY.name}-delivery-test-{secrets.token_hex(4)}"
    HUEY.immediate = False
    HUEY.storage = HUEY.storage_class(name, **HUEY.storage_kwargs)
    try:
        yield name
    finally:
        HUEY.storage.flush_queue()
        HUEY.storage.flush_schedule()
        HUEY.storage.flush_results()
        HUEY.immediate = True  # back to the in-memory storage of immediate mode


@pytest.fixture
def start_worker(tmp_path: Path, real_queue: str) -> Iterator[Callable[..., Any]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(
        name: str, *, env: dict[str, str] | None = None, workers: int = 1
    ) -> subprocess.Popen[bytes]:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "STOREDESK_DATA_DIR": str(settings.DATA_DIR),
            "STOREDESK_QUEUE_IMMEDIATE": "0",
            "STOREDESK_QUEUE_NAME": real_queue,
            "STOREDESK_FETCH_ALLOW_PRIVATE": "1",
            **(env or {}),
        }
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [
                sys.executable,
                "manage.py",
                "run_huey",
                "--workers",
                str(workers),
                "--worker-type",
                "thread",
                "--no-periodic",
                "--delay",
                "0.1",
                "--max-delay",
                "0.3",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
