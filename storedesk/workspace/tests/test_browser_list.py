"""The inbox list pane in a real Chromium against the real ASGI app (uvicorn), websockets included.

Olivia searches and filters the list (the URL keeps the filters across a reload), pages with
"Load more", assigns two conversations to herself in bulk and sees the Mine count change, and a
new shopper's conversation appears at the top of her list without a reload.
"""

from __future__ import annotations

import re

import httpx
import pytest

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation
from storedesk.testing.browser import SCREENSHOTS, AsgiServer
from storedesk.workspace.tests.test_browser_workspace import sign_in, wait_socket_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page) -> None:
    """Wait until htmx has finished swapping and wiring the new content (its settle step)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, "
        ".htmx-added')"
    )


@pytest.fixture
def shoppers(personas) -> list[Conversation]:
    """55 shoppers waiting on the API inbox, one of them Polish (created before the browser)."""
    convs = [
        receive_message(personas.harbor_api, InboundMessage(
            sender_id=f"s{i}", text=f"Question number {i}", name=f"Shopper {i}")).conversation
        for i in range(54)
    ]
    convs.append(receive_message(personas.harbor_chat, InboundMessage(
        sender_id="jan", text="Gdzie jest moja paczka?", name="Jan Kowalski")).conversation)
    return convs


def test_olivia_works_the_list(personas, shoppers, api_token, asgi_server: AsgiServer, browser):
    from playwright.sync_api import expect

    server = asgi_server.base

    expect.set_options(timeout=20_000)  # a shared CI machine can be slow; no timing is asserted
    token = api_token(personas.olivia)
    _ctx, page = sign_in(browser, server, "olivia@harbor.test")
    rows = page.locator("#conversation-list .conv-row")
    # given the first page of the longest-waiting shoppers and the counts loaded by the nav
    expect(rows).to_have_count(50)
    settled(page)
    expect(page.locator('[data-count="open"]')).to_have_text("55")
    expect(page.locator('[data-count="mine"]')).to_have_text("0")

    # when she clicks "Load more", the last five arrive below without a reload
    page.click(".load-more a")
    expect(rows).to_have_count(55)
    settled(page)
    expect(page.locator(".load-more")).to_have_count(0)

    # when she searches for a Polish word, only Jan's conversation stays, and the URL keeps it
    page.fill("#list-q", "paczka")
    expect(rows).to_have_count(1)
    settled(page)
    expect(rows.first).to_contain_text("Jan Kowalski")
    page.wait_for_url(re.compile(r".*/\?q=paczka$"))
    page.reload()
    expect(page.locator("#list-q")).to_have_value("paczka")
    settled(page)
    expect(rows).to_have_count(1)
    settled(page)

    # when she clears the search and filters by the chat channel instead
    page.fill("#list-q", "")
    expect(rows).to_have_count(50)
    settled(page)
    page.select_option("select[name=channel]", "webchat")
    expect(rows).to_have_count(1)
    settled(page)
    page.select_option("select[name=channel]", "")
    expect(rows).to_have_count(50)
    settled(page)

    # when she selects two conversations and assigns them to herself in bulk
    first, second = shoppers[0], shoppers[1]
    page.check(f"#conv-row-{first.pk} .conv-select")
    page.check(f"#conv-row-{second.pk} .conv-select")
    page.select_option("#bulk-form select[name=action]", "assign")
    page.select_option("#bulk-form select[name=assignee]", "me")
    page.click("#bulk-form [data-bulk-apply]")
    # then she is asked first, with what will happen to which conversations
    question = page.locator(".bulk-confirm")
    expect(question).to_contain_text("Assign 2 conversations to Olivia Owner")
    expect(question).to_contain_text(f"#{first.display_id}")
    expect(page.locator('[data-count="mine"]')).to_have_text("0")
    # when she cancels, nothing happens; when she confirms, it is done
    page.click("[data-bulk-cancel]")
    expect(question).to_have_count(0)
    page.click("#bulk-form [data-bulk-apply]")
    page.click("[data-bulk-confirm]")
    # then the list says so, the Mine count follows
    expect(page.locator(".bulk-result")).to_contain_text("2 conversations updated")
    expect(page.locator('[data-count="mine"]')).to_have_text("2")
    settled(page)
    # and Undo puts them back, and again
    page.click("[data-bulk-undo]")
    expect(page.locator(".bulk-result")).to_contain_text("2 conversations put back")
    expect(page.locator('[data-count="mine"]')).to_have_text("0")
    settled(page)
    page.check(f"#conv-row-{first.pk} .conv-select")
    page.check(f"#conv-row-{second.pk} .conv-select")
    page.select_option("#bulk-form select[name=action]", "assign")
    page.select_option("#bulk-form select[name=assignee]", "me")
    page.click("#bulk-form [data-bulk-apply]")
    page.click("[data-bulk-confirm]")
    expect(page.locator('[data-count="mine"]')).to_have_text("2")
    settled(page)
    # and the Mine view shows exactly those two
    page.click('a[data-nav="view:mine"]')
    expect(rows).to_have_count(2)
    settled(page)
    expect(page.locator('a[data-nav="view:mine"]')).to_have_attribute("aria-current", "page")

    # when a new shopper writes while she watches the "All open" list
    page.click('a[data-nav="view:open"]')
    expect(rows).to_have_count(50)
    settled(page)
    wait_socket_open(page)
    page.evaluate("() => { window.__sameDocument = true; }")
    page.select_option("select[name=sort]", "newest")
    expect(rows.first).to_contain_text("Jan Kowalski")
    posted = httpx.post(
        f"{server}/api/v1/inboxes/{personas.harbor_api.pk}/messages",
        json={"source_id": "ayse-new", "text": "Merhaba, siparişim nerede?", "name": "Ayşe Yeni",
              "message_id": "m-new-1"},
        headers={"Authorization": f"Bearer {token}"}, timeout=10,
    )
    assert posted.status_code == 201
    # then her conversation appears at the top, unread, and the counts follow, without a reload
    expect(rows.first).to_contain_text("Ayşe Yeni")
    expect(rows.first).to_have_class(re.compile(r"\bis-unread\b"))
    expect(page.locator('[data-count="open"]')).to_have_text("56")
    assert page.evaluate("() => window.__sameDocument === true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "inbox-list-live.png"))


def test_search_finds_a_resolved_conversation_by_email_and_a_word_without_accents(
    personas, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    from storedesk.accounts.actor import Actor
    from storedesk.inbox.actions import change_status

    # given Marta's conversation, resolved last week, among open ones
    marta = receive_message(personas.harbor_email, InboundMessage(
        sender_id="marta@shopper.test", email="marta@shopper.test", name="Marta Wiśniewska",
        text="Zamówienia 5521 wciąż nie ma, proszę o zwrot pieniędzy")).conversation
    change_status(marta, Actor.agent(personas.olivia), "resolved")
    for i in range(3):
        receive_message(personas.harbor_api, InboundMessage(
            sender_id=f"o{i}", text=f"Open question {i}", name=f"Open {i}"))
    _ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    rows = page.locator("#conversation-list .conv-row")
    expect(rows).to_have_count(3)
    settled(page)
    # when Olivia searches the default (Open) list for her email
    page.fill("#list-q", "marta@shopper.test")
    # then the resolved conversation is found
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Marta")
    settled(page)
    # and a Polish word typed without diacritics, in capitals, finds it too
    page.fill("#list-q", "ZAMOWIENIA")
    expect(page).to_have_url(re.compile(r".*q=ZAMOWIENIA"))
    settled(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Marta")
    page.fill("#list-q", "wisniewska")
    expect(page).to_have_url(re.compile(r".*q=wisniewska"))
    settled(page)
    expect(rows).to_have_count(1)
    _ctx.close()
