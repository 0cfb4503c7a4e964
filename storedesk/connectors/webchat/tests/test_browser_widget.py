"""The chat widget in a real Chromium against the real ASGI app (uvicorn), websockets included.

A shopper on the demo store page (`/demo/shop`) writes; the message lands in the inbox; an
agent answers through the REST API and the answer appears in the widget; a reload keeps the
thread; a dropped connection catches up without gaps or repeats; a page on a website the inbox
does not allow gets no widget; a forged identity sees no orders; markup stays text both ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Conversation, Message
from storedesk.testing.browser import AsgiServer

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
    assert Message.objects.get(pk=reply["id"]).delivery_status in ("delivered", "read")

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
