"""Send later in a real Chromium: Olivia schedules a reply from the composer, sees it waiting
at the end of the thread, edits it, the worker sends it at its time (through the outbox, like
any reply), and "Send now" sends another one at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Delivery, Message
from storedesk.testing.browser import AsgiServer
from storedesk.workflow import followups
from storedesk.workflow.models import ScheduledReply
from storedesk.workspace.tests.test_browser_workspace import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_schedule_a_reply_edit_it_and_see_it_go_out(personas, asgi_server: AsgiServer,
                                                     browser):
    from playwright.sync_api import expect

    conversation = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-b", text="When will the lamp be back in stock?",
        name="Kasia Nowak")).conversation
    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    page.goto(f"{asgi_server.base}/conversations/{conversation.display_id}/")
    page.wait_for_selector(f"#conversation-root[data-conversation-id='{conversation.pk}']")
    # when Olivia writes a reply and schedules it (the default time: tomorrow 09:00, her zone)
    page.fill("#composer-text", "The lamp is back on Monday.")
    page.locator("[data-send-later] summary").click()
    at = page.locator("[data-send-later-at]")
    assert at.input_value().endswith("T09:00")
    page.locator("[data-send-later-button]").click()
    # then it waits at the end of the thread, the reply box is empty and nothing went out
    waiting = page.locator("#thread [data-scheduled-reply]")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("The lamp is back on Monday.")
    expect(page.locator("#composer-text")).to_have_value("")
    expect(page.locator("#thread")).to_contain_text("scheduled a reply for")
    row = ScheduledReply.objects.get(conversation=conversation)
    assert row.status == "scheduled" and row.cancel_if_customer_replies
    assert row.send_at > timezone.now() + timedelta(hours=8)  # tomorrow morning
    assert not Message.objects.filter(conversation=conversation, direction="outgoing").exists()
    # when she edits the text
    waiting.locator("details.scheduled-edit summary").click()
    waiting.locator("textarea[name=text]").fill("The lamp is back on Tuesday.")
    waiting.locator("button[type=submit]").click()
    expect(page.locator("#thread [data-scheduled-reply]")).to_contain_text("Tuesday")
    # and the worker runs at its time: the reply goes out through the outbox
    row.refresh_from_db()
    assert followups.send_due_replies(row.send_at + timedelta(seconds=30)) == 1
    page.reload()
    page.wait_for_selector(f"#conversation-root[data-conversation-id='{conversation.pk}']")
    expect(page.locator("#thread [data-scheduled-reply]")).to_have_count(0)
    expect(page.locator("#thread .message.outgoing").last).to_contain_text(
        "The lamp is back on Tuesday.")
    expect(page.locator("#thread")).to_contain_text("A scheduled reply was sent")
    sent = Message.objects.get(conversation=conversation, direction="outgoing")
    assert Delivery.objects.filter(message=sent).count() == 1
    # "Send now" sends a second scheduled reply at once
    page.fill("#composer-text", "PS: it comes in blue too.")
    page.locator("[data-send-later] summary").click()
    page.locator("[data-send-later-button]").click()
    expect(page.locator("#thread [data-scheduled-reply]")).to_have_count(1)
    page.locator("#thread [data-scheduled-send]").click()
    expect(page.locator("#thread [data-scheduled-reply]")).to_have_count(0)
    expect(page.locator("#thread .message.outgoing").last).to_contain_text("it comes in blue")
    assert Message.objects.filter(conversation=conversation, direction="outgoing").count() == 2
    ctx.close()
