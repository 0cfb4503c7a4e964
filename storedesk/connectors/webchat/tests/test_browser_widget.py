"""The chat widget in a real Chromium against the real ASGI app (uvicorn), websockets included.

A shopper on the demo store page (`/demo/shop`) writes; the message lands in the inbox; an
agent answers through the REST API and the answer appears in the widget; a reload keeps the
thread; a dropped connection catches up without gaps or repeats; a page on a website the inbox
does not allow gets no widget; a forged identity sees no orders; markup stays text both ways.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from storedesk.accounts.actor import Actor
from storedesk.connectors.webchat.tests.conftest import allow_origins
from storedesk.connectors.webchat.tokens import identity_hash, public_key
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Conversation, Message
from storedesk.testing.browser import AsgiServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGES = "storedesk-chat >> css=[part=message]"


@pytest.fixture
def shop_server(transactional_db) -> Iterator[AsgiServer]:
    server = AsgiServer(env={"STOREDESK_DEMO_SHOP": "1"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def off_loop(function, *args):
    """Run an action outside Playwright's event loop (its realtime publish needs a plain
    thread), and close that thread's database connection."""
    from django.db import connection

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def open_shop(browser, base: str, locale: str = "en-US"):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.on("pageerror", lambda error: print("widget page error:", error))  # shown on failure
    page.goto(f"{base}/demo/shop")
    page.locator("storedesk-chat >> css=[part=launcher]").click()
    page.wait_for_function(
        "() => { const c = document.querySelector('storedesk-chat');"
        " return c && c._ready === true; }")
    return context, page


def write(page, text: str) -> None:
    page.locator("storedesk-chat >> css=[part=input]").fill(text)
    page.locator("storedesk-chat >> css=[part=send]").click()


def reply_through_api(base: str, token: str, conversation: Conversation, text: str) -> dict:
    response = httpx.post(f"{base}/api/v1/conversations/{conversation.pk}/messages",
                          json={"text": text}, headers={"Authorization": f"Bearer {token}"},
                          timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def wait_for_conversation(page, personas) -> Conversation:
    from playwright.sync_api import expect

    expect(page.locator(f"{MESSAGES}[data-id]")).not_to_have_count(0)
    return Conversation.objects.get(inbox=personas.harbor_chat)


def test_a_shopper_chats_and_the_agent_answers_live(
    personas, shop_server: AsgiServer, browser, api_token
):
    from playwright.sync_api import expect

    token = api_token(personas.ahmet)
    context, page = open_shop(browser, shop_server.base)
    # the icons are drawn (SVG, no emoji font needed), the buttons keep their names
    for part, name in (("[part=launcher]", "Open chat"), ("button.icon", "Attach a file")):
        button = page.locator(f"storedesk-chat >> css={part}")
        expect(button).to_have_accessible_name(name)
        assert button.locator("svg[aria-hidden=true] path").count() == 1
        assert button.inner_text().strip() == ""
    # given the greeting, when the shopper writes
    expect(page.locator(MESSAGES).first).to_contain_text("How can we help")
    write(page, "Do you ship linen to Gdańsk?")
    # then the message is in the agent inbox, from a new contact on the chat inbox
    conversation = wait_for_conversation(page, personas)
    incoming = Message.objects.get(conversation=conversation, direction="incoming")
    assert incoming.text == "Do you ship linen to Gdańsk?"
    assert incoming.metadata["webchat"]["verified"] is False
    # when Ahmet answers through the API, the answer appears in the widget
    reply = reply_through_api(shop_server.base, token, conversation, "Yes, 3-5 days to Poland.")
    expect(page.locator(f"{MESSAGES}[data-sender=agent]")).to_contain_text(
        "Yes, 3-5 days to Poland.")
    # and its status says what the shopper got: shown in an open chat = read
    page.wait_for_function(
        "() => document.querySelector('storedesk-chat').state.read > 0")
    # the widget keeps each receipt until the server says it is recorded ...
    page.wait_for_function(
        "() => Object.keys(document.querySelector('storedesk-chat').state.receipts || {})"
        ".length === 0")
    # ... so by then the reply says the shopper read it (even if the receipt beat the settle)
    assert Message.objects.get(pk=reply["id"]).delivery_status == "read"

    # when the page reloads, the thread is still there, in order, each message once
    page.reload()
    page.wait_for_function("() => { const c = document.querySelector('storedesk-chat');"
                           " return c && c._ready === true; }")
    expect(page.locator(f"{MESSAGES}[data-id]")).to_have_count(2)
    texts = page.locator(f"{MESSAGES}[data-id]").all_inner_texts()
    assert "Do you ship linen to Gdańsk?" in texts[0]
    assert "Yes, 3-5 days to Poland." in texts[1]
    context.close()


def test_a_dropped_connection_catches_up_without_gaps(
    personas, shop_server: AsgiServer, browser, api_token
):
    from playwright.sync_api import expect

    token = api_token(personas.ahmet)
    context, page = open_shop(browser, shop_server.base)
    write(page, "Is the oat duvet in stock?")
    conversation = wait_for_conversation(page, personas)
    reply_through_api(shop_server.base, token, conversation, "one")
    expect(page.locator(f"{MESSAGES}[data-sender=agent]")).to_have_count(1)
    # when the server goes away (every socket drops) and replies are written meanwhile
    shop_server.stop()
    for text in ("two", "three"):
        off_loop(send_reply, conversation, Actor.agent(personas.ahmet), text)
    shop_server.start()
    # then the widget reconnects by itself and catches up from its cursor
    expect(page.locator(f"{MESSAGES}[data-sender=agent]")).to_have_count(3)
    reply_through_api(shop_server.base, token, conversation, "four")
    expect(page.locator(f"{MESSAGES}[data-sender=agent]")).to_have_count(4)
    texts = [t.strip() for t in page.locator(f"{MESSAGES}[data-sender=agent]").all_inner_texts()]
    assert [t.splitlines()[-1] for t in texts] == ["one", "two", "three", "four"]
    context.close()


class StorePage:
    """A store's website on another port of localhost, embedding the widget with the snippet."""

    def __init__(self, html: str) -> None:
        body = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def store_page(server: AsgiServer, inbox, attributes: str = "") -> StorePage:
    snippet = (f'<script src="{server.base}/widget.js" data-inbox="{public_key(inbox)}" '
               f'{attributes} async></script>')
    return StorePage(f"<!doctype html><title>Shop</title><h1>A store</h1>{snippet}")


def test_the_snippet_works_on_an_allowed_site_and_nowhere_else(
    personas, shop_server: AsgiServer, browser, api_token
):
    from playwright.sync_api import expect

    allowed = store_page(shop_server, personas.harbor_chat)
    other = store_page(shop_server, personas.harbor_chat)
    allow_origins(personas.harbor_chat, allowed.origin)
    try:
        # a newcomer pasted the snippet into a page on another port (an allowed origin)
        context = browser.new_context()
        page = context.new_page()
        page.goto(allowed.origin + "/")
        page.locator("storedesk-chat >> css=[part=launcher]").click()
        page.wait_for_function("() => document.querySelector('storedesk-chat')._ready === true")
        write(page, "Hello from my own site")
        conversation = wait_for_conversation(page, personas)
        reply_through_api(shop_server.base, api_token(personas.olivia), conversation, "Hi there!")
        expect(page.locator(f"{MESSAGES}[data-sender=agent]")).to_contain_text("Hi there!")
        # the same snippet on a site the inbox does not list: no widget, and its socket refused
        refused = context.new_page()
        refused.goto(other.origin + "/")
        refused.wait_for_function("() => document.querySelector('storedesk-chat') !== null")
        closed = refused.evaluate("""(base) => new Promise(resolve => {
            const ws = new WebSocket(base.replace('http', 'ws') + '/ws/widget/?key=' +
                document.querySelector('storedesk-chat').getAttribute('inbox') + '&token=x');
            ws.onclose = (e) => resolve(e.code);
        })""", shop_server.base)
        assert closed == 4403
        assert refused.evaluate(
            "() => document.querySelector('storedesk-chat').shadowRoot.childElementCount") == 0
        assert Message.objects.filter(inbox=personas.harbor_chat).count() == 2
        context.close()
    finally:
        allowed.close()
        other.close()


def test_a_forged_identity_shows_no_orders_and_a_signed_one_does(
    personas, shop_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    from storedesk.testing.shop import seed_order

    seed_order(personas.harbor_store, number="H-2002", email="dana@shopper.test")
    inbox = personas.harbor_chat
    forged = store_page(shop_server, inbox, 'data-customer-email="dana@shopper.test" '
                        f'data-customer-signature="{"ab" * 32}"')
    signed = store_page(shop_server, inbox, 'data-customer-email="dana@shopper.test" '
                        f'data-customer-signature="{identity_hash(inbox, "dana@shopper.test")}"')
    allow_origins(inbox, forged.origin, signed.origin)
    try:
        context = browser.new_context()
        page = context.new_page()
        with page.expect_response(lambda r: "/widget/api/session" in r.url) as started:
            page.goto(forged.origin + "/")
        assert started.value.json()["visitor"]["verified"] is False
        page.locator("storedesk-chat >> css=[part=launcher]").click()
        page.wait_for_function("() => document.querySelector('storedesk-chat')._ready === true")
        expect(page.locator("storedesk-chat >> css=.orders")).to_be_hidden()
        write(page, "Where is H-2002?")
        wait_for_conversation(page, personas)
        message = Message.objects.get(inbox=inbox, direction="incoming")
        assert message.conversation.contact.email == ""  # not joined to Dana
        context.close()

        context = browser.new_context()
        page = context.new_page()
        page.goto(signed.origin + "/")
        page.locator("storedesk-chat >> css=[part=launcher]").click()
        expect(page.locator("storedesk-chat >> css=.orders")).to_contain_text("#H-2002")
        context.close()
    finally:
        forged.close()
        signed.close()


XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_markup_is_shown_as_text_in_both_directions(
    personas, shop_server: AsgiServer, browser, api_token
):
    from playwright.sync_api import expect

    from storedesk.workspace.tests.test_browser_workspace import sign_in

    context, page = open_shop(browser, shop_server.base)
    # the shopper sends markup: the widget shows it as text
    write(page, XSS)
    conversation = wait_for_conversation(page, personas)
    expect(page.locator(f"{MESSAGES}[data-sender=contact]")).to_contain_text(XSS)
    # an agent answers with markup through the API: the widget shows it as text too
    reply_through_api(shop_server.base, api_token(personas.ahmet), conversation,
                      "<b>bold</b> " + XSS)
    agent_message = page.locator(f"{MESSAGES}[data-sender=agent]")
    expect(agent_message).to_contain_text("<b>bold</b> " + XSS)
    assert agent_message.locator("b, img, script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    # and in the agent's workspace the shopper's markup is text, not elements
    agent_context, agent_page = sign_in(browser, shop_server.base, "olivia@harbor.test")
    agent_page.goto(f"{shop_server.base}/conversations/{conversation.display_id}/")
    thread = agent_page.locator("#thread")
    expect(thread).to_contain_text(XSS)
    assert thread.locator("img[src=x]").count() == 0
    assert agent_page.evaluate("() => window.__pwned") is None
    # Olivia has the conversation open: the shopper sees "Seen" under their message, live,
    # and it moves to the shopper's next message while she keeps looking at it
    mine = page.locator(f"{MESSAGES}[data-sender=contact]")
    expect(mine.first.locator("[part=seen]")).to_have_text("Seen")
    write(page, "Still there?")
    expect(thread).to_contain_text("Still there?")
    expect(mine.nth(1).locator("[part=seen]")).to_have_text("Seen")
    expect(page.locator("storedesk-chat >> css=[part=seen]")).to_have_count(1)
    agent_context.close()
    context.close()
