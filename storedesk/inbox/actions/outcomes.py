"""What became of an outgoing message: the outbox settled its delivery, the inbox records it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from storedesk.accounts.actor import SYSTEM, Actor
from storedesk.accounts.models import Membership
from storedesk.core.oncommit import publish_on_commit
from storedesk.events import EventKind
from storedesk.inbox.events import conversation_payload, message_payload, record_event
from storedesk.inbox.models import (
    Conversation,
    Delivery,
    DeliveryStatus,
    Message,
    OutboundStatus,
)

# The metadata key of a reply held back for undo-send whose `message.created` is still to come:
# who wrote it (actor type, membership id, cause event id).
HELD = "held_by"
# Whose replies answer the shopper: the conversation's first response, and the SLA clock's
# first-response target (workflow.sla) counts the same ones.
RESPONDERS = frozenset({"agent", "bot"})


def held_by(actor: Actor) -> dict[str, Any]:
    return {"type": actor.type, "membership": actor.membership.pk if actor.membership else None,
            "cause": actor.cause_event_id}


def announce_held(message: Message) -> bool:
    """Record `message.created` for a reply whose undo window is over (its delivery was
    claimed: it can no longer be taken back), once; False when there was nothing to announce.
    The reply went out now: if it is the conversation's first response, `first_reply_at` is
    this time (the event's, which the SLA clock counts too), not when it was written.

    Runs in the settle transaction, under the delivery row's lock, so two workers settling
    attempts of the same delivery announce it once between them.
    """
    held = (message.metadata or {}).get(HELD)
    if not isinstance(held, dict):
        return False
    membership_id = held.get("membership")
    membership = (Membership.objects.filter(pk=int(membership_id)).first()
                  if membership_id else None)
    actor = Actor(str(held.get("type") or SYSTEM.type), membership, held.get("cause"))
    metadata = {k: v for k, v in message.metadata.items() if k != HELD}
    Message.objects.filter(pk=message.pk).update(metadata=metadata)
    message.metadata = metadata
    event = record_event(message.conversation, EventKind.MESSAGE_CREATED, actor,
                         message_id=message.pk)
    if actor.type in RESPONDERS:
        answered = Conversation.objects.filter(pk=message.conversation_id,
                                               first_reply_at__isnull=True)
        if answered.update(first_reply_at=event.created_at, updated_at=event.created_at):
            message.conversation.first_reply_at = event.created_at
    return True


# Delivery row status -> the message's delivery status the agent sees.
_MESSAGE_STATUS = {
    OutboundStatus.SENT: DeliveryStatus.SENT,
    OutboundStatus.FAILED: DeliveryStatus.FAILED,
    OutboundStatus.QUEUED: DeliveryStatus.PENDING,  # will be retried
}


@transaction.atomic(savepoint=False)  # joins the settle transaction; no savepoint needed
def record_delivery_outcome(delivery: Delivery, *, provider_message_id: str = "") -> Message:
    """Bring the message in line with its settled delivery row, with a timeline row.

    Called by the connector's outbox handler inside the transaction that settled `delivery`
    (so both commit together). A final outcome writes `message.sent` or `message.failed` and
    is pushed to the agents' screens; a retry only keeps the message `pending`. A message
    already `delivered` or `read` (a receipt that came first) keeps its status.
    """
    message_status = _MESSAGE_STATUS.get(OutboundStatus(delivery.status))
    if message_status is None:
        raise ValueError(f"delivery {delivery.pk} is {delivery.status}, not settled")
    error = delivery.last_error if message_status == DeliveryStatus.FAILED else ""
    if delivery.status == OutboundStatus.SENT and provider_message_id:
        delivery.provider_message_id = provider_message_id[:255]
        delivery.save(update_fields=["provider_message_id", "updated_at"])
    # A receipt can arrive before the settle commits (the chat widget draws a reply while its
    # delivery attempt is still open): a message the shopper's side already reported as
    # delivered or read keeps that status; the outcome never moves it back.
    Message.objects.filter(pk=delivery.message_id).exclude(
        delivery_status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.READ)
    ).update(delivery_status=message_status, delivery_error=error)
    message = Message.objects.select_related("conversation").get(pk=delivery.message_id)
    announce_held(message)  # an undo-send reply: its window is over, it went out (or tried)
    if message_status == DeliveryStatus.PENDING:
        return message
    if message_status == DeliveryStatus.SENT:
        record_event(
            message.conversation, EventKind.MESSAGE_SENT, SYSTEM,
            message_id=message.pk, delivery_id=delivery.pk, attempts=delivery.attempts,
        )
    else:
        record_event(
            message.conversation, EventKind.MESSAGE_FAILED, SYSTEM,
            message_id=message.pk, delivery_id=delivery.pk, attempts=delivery.attempts,
            error=error,
        )
    publish_on_commit(
        message.account_id,
        {
            "type": "message.updated",
            "conversation": conversation_payload(message.conversation),
            "message": message_payload(message),
        },
    )
    return message
