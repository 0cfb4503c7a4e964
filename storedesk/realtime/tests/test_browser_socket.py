"""socket.js in a real Chromium against uvicorn: events, presence, reconnect, final refusal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.realtime.tests.conftest import _session_cookie
from storedesk.testing.browser import AsgiServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT_MS = 20_000

# Installed before socket.js: keeps every "storedesk:socket" / "storedesk:event" the page sees.
RECORDER = """() => {
  window.seen = [];
  for (const name of ["storedesk:socket", "storedesk:event"]) {
    document.addEventListener(name, (e) => window.seen.push({name, detail: e.detail}));
  }
}"""


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[AsgiServer]:
    """The shared server, with its own cache prefix (so its own Redis channel-layer keys)."""
    server = AsgiServer(env={"STOREDESK_CACHE_PREFIX": f"sdtest-{uuid.uuid4().hex[:12]}"})
    try:
        server.start()
        yield server
    finally:
        server.stop()


def agent_page(browser, server: AsgiServer, cookie: str | None):
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


def test_agents_see_each_other_again_after_the_server_restarts(
    personas, asgi_server: AsgiServer, browser
):
    server = asgi_server
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


def test_a_signed_out_browser_is_told_so_and_stops(personas, asgi_server: AsgiServer, browser):
    server = asgi_server
    # given a browser without a session loads the workspace script
    page = agent_page(browser, server, None)
    # then the server closes with 4401 and the client gives up instead of retrying forever
    wait_for(page, """() => window.seen.some((e) => e.name === "storedesk:socket"
        && e.detail.state === "closed" && e.detail.code === 4401)""")
    assert page.evaluate("() => window.storedeskSocket.state") == "closed"
    opened = page.evaluate(
        "() => window.seen.filter((e) => e.detail.state === 'open').length")
    assert opened == 0
