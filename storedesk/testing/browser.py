"""The browser-test harness: the real ASGI app under uvicorn and a real Chromium via Playwright.

Registered for the whole suite by ``pytest_plugins`` in the root conftest.py, so every test can
ask for the fixtures ``asgi_server`` (a started :class:`AsgiServer` on the test database) and
``browser`` (a launched Chromium). Tests that drive them carry ``pytest.mark.browser`` and
``pytest.mark.django_db(transaction=True)``: the server is another process, so it only sees
committed rows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from django.conf import settings
from django.db import connection, connections

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Untracked (var/ is ignored): a test run must never rewrite files under version control.
SCREENSHOTS = Path(
    os.environ.get("STOREDESK_SCREENSHOTS", str(Path(settings.BASE_DIR) / "var" / "screenshots"))
)
# A loaded 2-core CI machine can take a while to import Django and bind.
START_TIMEOUT_SECONDS = float(os.environ.get("STOREDESK_TEST_SERVER_START_TIMEOUT", "120"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_database_url() -> str:
    """The test database, as a DATABASE_URL for a server process that must reach it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


class AsgiServer:
    """uvicorn serving config.asgi:application on 127.0.0.1 against the test database.

    ``env`` adds variables for the server process. The port is fixed at construction, so
    :meth:`restart` (or :meth:`stop` then :meth:`start`) brings it back on the same base URL.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "STOREDESK_ALLOWED_HOSTS": "127.0.0.1",
            **(env or {}),
        }
        # The browser fixture allows sync ORM calls in the test process only.
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and return once it answers /healthz (START_TIMEOUT_SECONDS)."""
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--lifespan", "off"],
            cwd=settings.BASE_DIR, env=self.env,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the test server did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        """Terminate the server (kill it if it has not exited after 10 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """A headless Chromium driven by Playwright's sync API; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # ORM calls made while Playwright runs get their own connection (another context);
            # close it here, in that context, or the test database cannot be dropped.
            connections.close_all()


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    """A started AsgiServer on the test database, stopped after the test."""
    server = AsgiServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """A launched Chromium for this test."""
    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls are plain synchronous calls between browser steps, so Django may allow them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect

    # A wait bound, not a timing assertion: on a loaded 2-core machine a request can take
    # longer than Playwright's default 5 s.
    expect.set_options(timeout=20_000)
    with launch_chromium() as launched:
        yield launched
