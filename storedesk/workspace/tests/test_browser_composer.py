"""The composer in a real Chromium: a note never reaches the shopper whatever the keys, drafts
survive a reload, undo-send stops the delivery, a macro's missing variable blocks sending."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation, Delivery, Message
from storedesk.testing.browser import AsgiServer
from storedesk.workspace.tests.test_browser_workspace import pick_macro, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting(personas) -> Conversation:
    return receive_message(personas.harbor_api, InboundMessage(
        sender_id="kasia-shopper", text="Czy lampa jest dostępna?", name="Kasia Nowak",
        email="kasia@shopper.test")).conversation


def open_conversation(page, base: str, conversation: Conversation) -> None:
    page.goto(f"{base}/conversations/{conversation.display_id}/")
    page.wait_for_selector(f"#conversation-root[data-conversation-id='{conversation.pk}']")


def active_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_after_a_reply_n_and_a_note_never_reach_the_shopper(
    personas, waiting, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    open_conversation(page, asgi_server.base, waiting)
    # when olivia presses r, writes a reply and sends it with Ctrl+Enter
    page.locator("#thread").focus()
    page.keyboard.press("r")
    expect(page.locator("#composer-text")).to_be_focused()
    page.keyboard.type("Yes, it is in stock.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#thread .message.outgoing")).to_contain_text("Yes, it is in stock.")
    # then the caret has left the reply box (the bug: it stayed, and "n" was typed into it)
    expect(page.locator("#composer-text")).not_to_be_focused()
    expect(page.locator("#composer-text")).to_have_value("")
    # when she presses n (no Esc first, as in the report) and writes a note, Ctrl+Enter
    page.keyboard.press("n")
    expect(page.locator("#composer")).to_have_attribute("data-mode", "note")
    expect(page.locator("#note-text")).to_be_focused()
    page.keyboard.type("@ahmet can you confirm stock?")
    page.keyboard.press("Control+Enter")
    # then it is a private note, without a stray "n"
    expect(page.locator("#thread .message.private")).to_contain_text(
        "@ahmet can you confirm stock?")
    expect(page.locator("#note-text")).not_to_be_focused()

    # and Esc leaves a box too: what was typed stays in its own box
    page.keyboard.press("r")
    page.keyboard.type("Half a sentence")
    page.keyboard.press("Escape")
    assert active_id(page) == "thread"
    page.keyboard.press("n")
    expect(page.locator("#note-text")).to_be_focused()
    page.keyboard.type("second note")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#thread .message.private").last).to_contain_text("second note")
    page.locator("[data-composer-tab=reply]").click()
    expect(page.locator("#composer-text")).to_have_value("Half a sentence")

    # checked where it matters, on the delivery side: one delivery, the reply's, and nothing
    # the shopper could receive carries a note's words
    deliveries = list(Delivery.objects.filter(message__conversation=waiting))
    assert [d.message.text for d in deliveries] == ["Yes, it is in stock."]
    public = Message.objects.filter(conversation=waiting, direction="outgoing", private=False)
    assert list(public.values_list("text", flat=True)) == ["Yes, it is in stock."]
    notes = Message.objects.filter(conversation=waiting, private=True).order_by("pk")
    assert list(notes.values_list("text", flat=True)) == [
        "@ahmet can you confirm stock?", "second note"]
    ctx.close()


def test_a_draft_survives_a_reload_and_stays_in_its_mode(
    personas, waiting, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    open_conversation(page, asgi_server.base, waiting)
    with page.expect_response(lambda r: "/draft/reply/" in r.url and r.status == 204):
        page.fill("#composer-text", "Dzień dobry, sprawdzam")
    page.locator("[data-composer-tab=note]").click()
    with page.expect_response(lambda r: "/draft/note/" in r.url and r.status == 204):
        page.fill("#note-text", "@ahmet pls look")
    page.reload()
    page.wait_for_selector("#conversation-root")
    expect(page.locator("#composer-text")).to_have_value("Dzień dobry, sprawdzam")
    expect(page.locator("#note-text")).to_have_value("@ahmet pls look")
    ctx.close()


@pytest.fixture
def undo_server(transactional_db) -> Iterator[AsgiServer]:
    server = AsgiServer(env={"STOREDESK_UNDO_SEND_SECONDS": "30"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_undo_send_stops_the_delivery(personas, waiting, undo_server: AsgiServer, browser):
    from playwright.sync_api import expect

    ctx, page = sign_in(browser, undo_server.base, "olivia@harbor.test")
    open_conversation(page, undo_server.base, waiting)
    page.fill("#composer-text", "Sent to the wrong shopper")
    page.click("[data-send=reply]")
    expect(page.locator("#thread .message.outgoing")).to_contain_text("Sent to the wrong shopper")
    delivery = Delivery.objects.get(message__conversation=waiting)
    assert delivery.status == "queued" and delivery.attempts == 0
    # when she presses Undo send within the wait
    page.click("[data-undo-send]")
    # then the message is gone, its text is back in the reply box, and nothing was delivered
    expect(page.locator("#composer-text")).to_have_value("Sent to the wrong shopper")
    expect(page.locator("#thread .message.outgoing")).to_have_count(0)
    assert not Delivery.objects.filter(pk=delivery.pk).exists()
    assert not Message.objects.filter(conversation=waiting, direction="outgoing").exists()
    ctx.close()


def test_a_macro_with_a_missing_variable_cannot_be_sent(
    personas, waiting, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    from storedesk.workflow.actions import create_macro

    create_macro(personas.harbor, name="Order shipped",
                 text="Hi {{contact.first_name}}, order {{order.number}} is on its way.")
    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    open_conversation(page, asgi_server.base, waiting)
    pick_macro(page, "Order shipped")
    expect(page.locator("#composer-text")).to_have_value(
        "Hi Kasia, order {{order.number}} is on its way.")
    # then the gap is named and both send buttons are off, also for Ctrl+Enter
    expect(page.locator("[data-missing-variables]")).to_contain_text("{{order.number}}")
    expect(page.locator("[data-send=reply]")).to_be_disabled()
    expect(page.locator("[data-send-resolve]")).to_be_disabled()
    page.locator("#composer-text").press("Control+Enter")
    # when she fills it in, it can go
    page.fill("#composer-text", "Hi Kasia, order 4412 is on its way.")
    expect(page.locator("[data-missing-variables]")).to_be_hidden()
    page.click("[data-send=reply]")
    expect(page.locator("#thread .message.outgoing")).to_contain_text("order 4412")
    sent = Message.objects.filter(conversation=waiting, direction="outgoing")
    assert list(sent.values_list("text", flat=True)) == ["Hi Kasia, order 4412 is on its way."]
    ctx.close()
