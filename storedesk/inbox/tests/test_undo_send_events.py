"""Undo-send and domain events: a reply held back for its undo window is announced
(`message.created`: store webhooks, SLA clocks, rules) when the window is over and it goes out,
once; a reply taken back is never announced, and the conversation reads as if it had never
been written.

Real parts: the events dispatcher, the outbox runner and the webchat transport, the store
webhooks subscriber and a real HTTP receiver on 127.0.0.1 that verifies signatures.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, cancel_reply, receive_message, send_reply
from storedesk.inbox.models import Conversation, Delivery, Message
from storedesk.outbox import runner
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.webhooks.models import WebhookDelivery

# Real commits: each action's events are dispatched (immediate queue) when it commits.
pytestmark = pytest.mark.django_db(transaction=True)

WINDOW = timedelta(seconds=30)


@pytest.fixture
def receiver(settings) -> Iterator[FakeWebhookReceiver]:
    settings.FETCH_ALLOW_PRIVATE = True  # the store's endpoint runs on loopback in this test
    with FakeWebhookReceiver(secret="not-yet-known", path="/storedesk/events") as fake:
        yield fake


def _events(conversation: Conversation, kind: str) -> list[Event]:
    return list(Event.objects.filter(conversation=conversation, kind=kind).order_by("pk"))


def _window_over(message: Message) -> str:
    """The undo window of `message` ends and a worker takes its delivery (the outbox run)."""
    delivery = Delivery.objects.get(message=message)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    return runner.run("message", delivery.pk)


def test_a_held_reply_is_announced_once_when_it_goes_out_and_never_when_taken_back(
    personas, api, receiver
):
    olivia = Actor.agent(personas.olivia)
    answer = api(personas.olivia).post(
        "/api/v1/webhooks", {"url": receiver.url, "events": ["message.created"]},
        content_type="application/json")
    assert answer.status_code == 201, answer.content
    receiver.set_secret(answer.json()["secret"])
    received = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-1", text="Is the linen shirt back in stock?", source_id="w-1"))
    conversation = Conversation.objects.get(pk=received.conversation.pk)
    waiting_since, count = conversation.waiting_since, conversation.message_count
    assert waiting_since is not None

    # when Olivia sends a reply with a 30-second undo window
    wrong = send_reply(conversation, olivia, "Wrong customer, sorry", send_after=WINDOW)
    # then nothing is announced yet: no event, no webhook
    assert _events(conversation, "message.created") == []
    assert receiver.requests == []
    # and when she takes it back, nothing ever is; the conversation is as before
    cancel_reply(wrong, olivia)
    assert _events(conversation, "message.created") == []
    assert not WebhookDelivery.objects.exists() and receiver.requests == []
    conversation.refresh_from_db()
    assert conversation.first_reply_at is None
    # (waiting again since the shopper's unanswered message)
    assert conversation.waiting_since == received.message.created_at
    assert conversation.message_count == count

    # when she sends the right reply with the window and lets it run out
    right = send_reply(conversation, olivia, "Yes, it is back in all sizes!",
                       send_after=WINDOW)
    assert _events(conversation, "message.created") == []
    assert _window_over(right) == "sent"
    # then it is announced once, as Olivia's reply, before it is recorded as sent
    [created] = _events(conversation, "message.created")
    assert created.data == {"message_id": right.pk}
    assert created.actor_type == "agent" and created.actor_agent_id == personas.olivia.agent_id
    [sent] = _events(conversation, "message.sent")
    assert created.pk < sent.pk
    # and the store's endpoint got it once, verified
    [request] = receiver.requests
    assert request.verified and request.json()["event"] == "message.created"
    assert request.json()["message"]["id"] == right.pk
    # and the message keeps no trace of the hold
    right.refresh_from_db()
    assert "held_by" not in right.metadata
    # a second run of the delivery (a duplicate task) announces nothing more
    assert runner.run("message", Delivery.objects.get(message=right).pk) == "skipped"
    assert len(_events(conversation, "message.created")) == 1
    assert WebhookDelivery.objects.filter(kind="message.created").count() == 1
    # and the SLA clock counts the answer at the time it went out, not when it was typed
    conversation.refresh_from_db()
    assert conversation.first_reply_at is not None


def test_a_reply_without_a_window_is_announced_when_written(personas):
    olivia = Actor.agent(personas.olivia)
    conversation = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-2", text="Hello?", source_id="w-2")).conversation
    reply = send_reply(conversation, olivia, "Hello! How can I help?")
    [created] = _events(conversation, "message.created")
    assert created.data == {"message_id": reply.pk}
    assert "held_by" not in reply.metadata


def test_a_held_reply_that_fails_is_announced_then_failed(personas, settings):
    """The window is over once a worker takes the delivery, whatever the outcome."""
    olivia = Actor.agent(personas.olivia)
    conversation = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-3", text="Hi", source_id="w-3")).conversation
    held = send_reply(conversation, olivia, "One moment", send_after=WINDOW)
    personas.harbor_chat.is_active = False  # the inbox was disabled meanwhile: a permanent error
    personas.harbor_chat.save(update_fields=["is_active"])
    assert _window_over(held) == "failed"
    kinds = list(Event.objects.filter(conversation=conversation, kind__startswith="message.")
                 .exclude(kind="message.received").order_by("pk").values_list("kind", flat=True))
    assert kinds == ["message.created", "message.failed"]
