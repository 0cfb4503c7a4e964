"""A shift without a mouse, in Chromium: j opens the first conversation without a click, m finds
a macro by typing (the conversation's language first), s snoozes with a preset and the next
conversation opens, / searches, ? lists every key; the tab title counts unread conversations,
a live region announces a new message, and a skip link leads to the list."""

from __future__ import annotations

import re

import httpx
import pytest

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Status
from storedesk.testing.browser import AsgiServer
from storedesk.workflow.actions import create_macro
from storedesk.workspace.tests.test_browser_workspace import sign_in, wait_socket_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shift_without_a_mouse(personas, api_token, asgi_server: AsgiServer, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    # given two Turkish shoppers waiting and macros in two languages
    first = receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse", text="Siparişim nerede?", name="Ayşe Kaya",
        metadata={"language": "tr"})).conversation
    second = receive_message(personas.harbor_api, InboundMessage(
        sender_id="mehmet", text="Kargo ne zaman gelir?", name="Mehmet Öz",
        metadata={"language": "tr"})).conversation
    create_macro(personas.harbor, name="Shipping update", text="Your order ships today.",
                 language="en")
    create_macro(personas.harbor, name="Kargo bilgisi", text="Siparişiniz bugün kargoda.",
                 language="tr")
    token = api_token(personas.olivia)
    _ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    rows = page.locator("#conversation-list .conv-row")
    expect(rows).to_have_count(2)
    # the tab title counts the unread conversations
    expect(page).to_have_title(re.compile(r"^\(2\) "))

    # when she presses j without clicking anything first, the first waiting one opens
    page.keyboard.press("j")
    expect(page.locator("#conversation-root")).to_have_attribute(
        "data-conversation-id", str(first.pk))
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    # (the pane's script has run and registered its keys: on a loaded machine that comes a
    # moment after the pane is on screen)
    page.wait_for_function(
        "() => window.storedeskConversation && window.storedeskConversation.state().current")

    # when she presses m and types a word without its Turkish letters, then Enter
    page.keyboard.press("m")
    expect(page.locator("#macro-search")).to_be_focused()
    options = page.locator("#macro-options [data-macro-id]")
    expect(options.first).to_contain_text("Kargo bilgisi")  # the conversation's language first
    page.keyboard.type("siparisiniz")
    expect(page.locator("#macro-options [data-macro-id]:not([hidden])")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#composer-text")).to_have_value("Siparişiniz bugün kargoda.")
    page.keyboard.press("Escape")
    expect(page.locator("#composer-text")).not_to_be_focused()

    # when she opens the help, every key is listed
    page.keyboard.press("?")
    help_list = page.locator("#shortcuts-help .shortcut-list")
    for words in ("Next conversation", "Insert a macro", "Snooze", "Set the priority",
                  "Add a tag", "Assign to me", "Search the list"):
        expect(help_list).to_contain_text(words)
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()

    # when she presses s and Enter, it is snoozed until later today and the next one opens
    page.keyboard.press("s")
    expect(page.locator("[data-snooze-preset='later_today']")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#conversation-root")).to_have_attribute(
        "data-conversation-id", str(second.pk))
    first.refresh_from_db()
    assert first.status == Status.SNOOZED and first.snoozed_until is not None

    # when a shopper writes, the live region announces it
    wait_socket_open(page)
    posted = httpx.post(
        f"{asgi_server.base}/api/v1/inboxes/{personas.harbor_api.pk}/messages",
        json={"source_id": "zeynep", "text": "Merhaba", "name": "Zeynep", "message_id": "z-1"},
        headers={"Authorization": f"Bearer {token}"}, timeout=10,
    )
    assert posted.status_code == 201
    expect(page.locator("#live-announcer")).to_contain_text("New message in conversation #")

    # and / puts her in the search box, Esc takes her out again
    page.locator("#thread").focus()
    page.keyboard.press("/")
    expect(page.locator("#list-q")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#list-q")).not_to_be_focused()

    # and the first Tab on a fresh page reaches the skip links, one of them to the list
    page.goto(asgi_server.base + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link[href='#list-pane']")).to_be_focused()
