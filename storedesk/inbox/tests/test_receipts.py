"""Provider receipts reach a reply only through record_receipt: forward only, once each, with a
timeline row per change."""

from __future__ import annotations

import pytest

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, add_note, receive_message, record_receipt
from storedesk.inbox.models import Message


@pytest.fixture
def reply(personas, django_capture_on_commit_callbacks) -> Message:
    conversation = receive_message(
        personas.harbor_chat, InboundMessage(sender_id="v-1", text="Hello?")).conversation
    from storedesk.inbox.actions import send_reply

    message = send_reply(conversation, Actor.agent(personas.ahmet), "Hi there!")
    message.refresh_from_db()
    return message


def _kinds(message: Message) -> list[str]:
    return list(Event.objects.filter(conversation=message.conversation,
                                                 kind__startswith="message.")
                .exclude(kind__in=["message.received", "message.created"])
                .order_by("pk").values_list("kind", flat=True))


def test_a_failure_receipt_before_delivery_fails_the_message_with_the_reason(reply):
    assert reply.delivery_status == "pending"
    assert record_receipt(reply, "failed", error="Number not on WhatsApp") is True
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.delivery_error) == ("failed", "Number not on WhatsApp")
    assert _kinds(reply) == ["message.failed"]
    event = Event.objects.get(kind="message.failed")
    assert event.data["message_id"] == reply.pk and event.actor_type == "system"
    # a later "delivered" does not resurrect it, a repeated failure changes nothing
    assert record_receipt(reply, "delivered") is False
    assert record_receipt(reply, "failed", error="again") is False
    assert _kinds(reply) == ["message.failed"]


def test_read_then_delivered_keeps_read_and_a_failure_after_delivery_is_ignored(reply):
    assert record_receipt(reply, "read") is True
    assert record_receipt(reply, "delivered") is False
    assert record_receipt(reply, "failed", error="late") is False
    reply.refresh_from_db()
    assert reply.delivery_status == "read" and reply.delivery_error == ""
    assert _kinds(reply) == ["message.read"]


def test_receipts_apply_to_outgoing_replies_only(personas, reply):
    incoming = Message.objects.get(conversation=reply.conversation, direction="incoming")
    note = add_note(reply.conversation, Actor.agent(personas.ahmet), "internal")
    for message in (incoming, note):
        with pytest.raises(ActionError):
            record_receipt(message, "delivered")
    with pytest.raises(ActionError):
        record_receipt(reply, "bounced")


def test_a_receipt_that_beats_the_settle_is_kept(reply):
    """The chat widget draws a reply while its delivery attempt is still open, so its `read`
    receipt can commit before the outbox settles the delivery as sent: the settle must not move
    the message back to `sent` (found on PostgreSQL by the widget's browser test)."""
    from storedesk.inbox.actions.outcomes import record_delivery_outcome
    from storedesk.inbox.models import Delivery, OutboundStatus

    assert record_receipt(reply, "read") is True
    delivery = Delivery.objects.get(message=reply)
    delivery.status = OutboundStatus.SENT  # what the outbox's settle writes
    delivery.save(update_fields=["status"])
    record_delivery_outcome(delivery)
    reply.refresh_from_db()
    assert reply.delivery_status == "read"
    assert _kinds(reply) == ["message.read", "message.sent"]
