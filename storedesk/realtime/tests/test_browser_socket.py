"""socket.js in a real Chromium against uvicorn: events, presence, reconnect, final refusal."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from django.conf import settings
from django.db import connection

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.realtime.tests.conftest import _session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 20_000

# Installed before socket.js: keeps every "storedesk:socket" / "storedesk:event" the page sees.
RECORDER = """() => {
  window.seen = [];
  for (const name of ["storedesk:socket", "storedesk:event"]) {
    document.addEventListener(name, (e) => window.seen.push({name, detail: e.detail}));
  }
}"""


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """uvicorn on config.asgi:application, restartable on the same port."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "STOREDESK_ALLOWED_HOSTS": "127.0.0.1",
            "STOREDESK_CACHE_PREFIX": f"sdtest-{uuid.uuid4().hex[:12]}",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--lifespan", "off"],
            cwd=settings.BASE_DIR, env=self.env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def server(transactional_db) -> Iterator[Server]:
    running = Server()
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def browser(monkeypatch) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls happen
    # between browser steps, so Django may allow them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def agent_page(browser, server: Server, cookie: str | None):
    context = browser.new_context()
    if cookie is not None:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                              "url": server.base}])
    page = context.new_page()
    page.goto(server.base + "/healthz")  # any page of the site: the socket's Origin
    page.evaluate(RECORDER)
    page.add_script_tag(url=server.base + "/static/realtime/socket.js")
    return page


def wait_for(page, condition: str, arg=None) -> None:
    page.wait_for_function(condition, arg=arg, timeout=WAIT_MS)


SAW_PRESENCE_SINCE = """([start, agentId, state]) => window.seen.slice(start).some(
  (e) => e.name === "storedesk:event" && e.detail.type === "presence"
      && e.detail.agent.id === agentId && e.detail.state === state)"""
OPEN_AGAIN = """() => window.seen.some(
  (e) => e.name === "storedesk:socket" && e.detail.state === "open" && e.detail.reconnected)"""


def test_agents_see_each_other_again_after_the_server_restarts(personas, server, browser):
    # given a waiting shopper, and olivia and ahmet with the workspace script loaded
    conversation = receive_message(
        personas.harbor_api, InboundMessage(sender_id="ayse", text="Where is order 1001?")
    ).conversation
    olivia = agent_page(browser, server, _session_cookie(personas.olivia, None))
    ahmet = agent_page(browser, server, _session_cookie(personas.ahmet, None))
    for page in (olivia, ahmet):
        wait_for(page, "() => window.storedeskSocket.state === 'open'")
    # when both open the conversation
    olivia.evaluate("(id) => window.storedeskSocket.presence(id, 'viewing')", conversation.pk)
    wait_for(ahmet, SAW_PRESENCE_SINCE, [0, personas.olivia.pk, "viewing"])
    ahmet.evaluate("(id) => window.storedeskSocket.presence(id, 'viewing')", conversation.pk)
    # then each one sees the other there
    wait_for(olivia, SAW_PRESENCE_SINCE, [0, personas.ahmet.pk, "viewing"])

    # when the server restarts (a deploy)
    server.stop()
    for page in (olivia, ahmet):
        wait_for(page, "() => window.storedeskSocket.state !== 'open'")
    marks = {name: page.evaluate("() => window.seen.length")
             for name, page in (("olivia", olivia), ("ahmet", ahmet))}
    server.start()
    # then both sockets come back by themselves, tell the page they reconnected,
    # and re-announce the open conversation so each sees the other again
    for page in (olivia, ahmet):
        wait_for(page, OPEN_AGAIN)
    wait_for(olivia, SAW_PRESENCE_SINCE, [marks["olivia"], personas.ahmet.pk, "viewing"])
    wait_for(ahmet, SAW_PRESENCE_SINCE, [marks["ahmet"], personas.olivia.pk, "viewing"])


def test_a_signed_out_browser_is_told_so_and_stops(personas, server, browser):
    # given a browser without a session loads the workspace script
    page = agent_page(browser, server, None)
    # then the server closes with 4401 and the client gives up instead of retrying forever
    wait_for(page, """() => window.seen.some((e) => e.name === "storedesk:socket"
        && e.detail.state === "closed" && e.detail.code === 4401)""")
    assert page.evaluate("() => window.storedeskSocket.state") == "closed"
    opened = page.evaluate(
        "() => window.seen.filter((e) => e.detail.state === 'open').length")
    assert opened == 0
