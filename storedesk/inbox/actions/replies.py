"""Outgoing messages: replies (queued for delivery), private notes, delivery retries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError
from storedesk.core.folding import fold
from storedesk.core.models import stamped
from storedesk.core.oncommit import enqueue_on_commit, publish_on_commit
from storedesk.core.sanitize import sanitize_html
from storedesk.core.validation import check_original_time, check_text
from storedesk.events import EventKind
from storedesk.inbox.actions._shared import (
    MAX_TEXT_CHARS,
    _save_attachments,
    _save_with_count,
)
from storedesk.inbox.actions.outcomes import HELD, RESPONDERS, held_by
from storedesk.inbox.content import ContentType, clean_content, fallback_text
from storedesk.inbox.events import conversation_payload, message_payload, record_event
from storedesk.inbox.models import (
    Conversation,
    Delivery,
    DeliveryStatus,
    Direction,
    Mention,
    Message,
    OutboundStatus,
    SenderType,
    Status,
)
from storedesk.inbox.storage import IncomingFile, StoredFile, staged_files
from storedesk.outbox.tasks import deliver


def send_reply(
    conversation: Conversation,
    actor: Actor,
    text: str,
    *,
    html: str | None = None,
    attachments: Sequence[IncomingFile] = (),
    staged: Sequence[StoredFile] = (),
    send_after: timedelta | None = None,
    content_type: str = ContentType.TEXT,
    content: Any = None,
    metadata: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Message:
    """Write an outgoing message as `pending` and queue its delivery through the connector.

    `attachments` are written to disk before the transaction and deleted again if it fails;
    a caller that owns a wider transaction stages them itself and passes `staged`.
    A structured reply (`content_type` choices, cards, article, order) carries its validated
    `content`; `text` is its plain-text fallback, built from the content when left empty.
    `send_after` holds the delivery back (undo-send): until then `cancel_reply` can take the
    message back and nothing reaches the shopper, and no `message.created` event is recorded
    (webhooks, rules and SLA clocks would react to a reply that may never be sent): it is
    recorded when the window is over and the reply goes out (`outcomes.announce_held`), and
    never for a reply taken back; so is the conversation's `first_reply_at` (first response
    time counts the reply that went out, when it went out). Agents' screens get the pending
    reply at once (with Undo).
    `metadata` is kept on the message (the composer's Markdown source and signature choice, a
    channel's recipients).
    `at`: when it was written, if earlier than now (history being loaded): the message, its
    timeline row and the conversation's reply times carry it; the delivery is still due now.
    """
    check_original_time("at", at)
    cleaned = clean_content(content_type, content)
    if cleaned and not text.strip():
        text = fallback_text(content_type, cleaned)
    with staged_files(attachments) as stored:
        return _send_reply(conversation, actor, text, html, [*staged, *stored], send_after,
                           content_type=content_type, content=cleaned, metadata=metadata,
                           at=at)


@transaction.atomic
def _send_reply(
    conversation: Conversation,
    actor: Actor,
    text: str,
    html: str | None,
    attachments: Sequence[StoredFile],
    send_after: timedelta | None = None,
    *,
    content_type: str = ContentType.TEXT,
    content: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Message:
    text = text.strip()
    if not text and not attachments:
        raise ActionError("The reply is empty.")
    check_text("text", text)
    if len(text) > MAX_TEXT_CHARS:
        raise ActionError(f"The reply is longer than {MAX_TEXT_CHARS} characters.")
    if conversation.status == Status.CLOSED:
        raise ActionError("This conversation is closed; start a new one to write to the shopper.")
    now = timezone.now()
    written = at or now
    delay = send_after.total_seconds() if send_after else 0.0
    if delay > 0:  # who wrote it, for the event recorded when it goes out
        metadata = {**(metadata or {}), HELD: held_by(actor)}
    message = _create_outgoing(
        conversation, actor, text, html, attachments, private=False, status=DeliveryStatus.PENDING,
        content_type=content_type, content=content or {}, metadata=metadata, at=at,
    )
    delivery = Delivery.objects.create(
        account_id=conversation.account_id, message=message,
        next_attempt_at=now + timedelta(seconds=delay),
    )
    # An older reply (history) never moves the last message time backwards.
    if conversation.last_message_at is None or written > conversation.last_message_at:
        conversation.last_message_at = written
    conversation.waiting_since = None
    # The first response is the first reply that goes out: a held reply (undo-send) counts
    # when its window is over (`outcomes.announce_held`), at that time, and never if undone.
    if conversation.first_reply_at is None and actor.type in RESPONDERS and delay <= 0:
        conversation.first_reply_at = written
    _save_with_count(conversation, ["last_message_at", "waiting_since", "first_reply_at"])
    if delay <= 0:
        record_event(conversation, EventKind.MESSAGE_CREATED, actor, message_id=message.pk,
                     occurred_at=at)
    _queue_delivery(delivery, delay)
    _publish_message(conversation, message)
    return message


def _queue_delivery(delivery: Delivery, delay: float = 0.0) -> None:
    # Straight onto the queue after commit (no hop through an event subscriber): the outbox
    # task is what sends, and a reply's latency is one enqueue.
    if delay > 0:
        # The sweeper also picks the row up once it is due, should this task be lost.
        enqueue_on_commit(deliver.schedule, (Delivery.OUTBOX_KIND, delivery.pk), delay=delay)
    else:
        enqueue_on_commit(deliver, Delivery.OUTBOX_KIND, delivery.pk)


@transaction.atomic
def cancel_reply(message: Message, actor: Actor) -> str:
    """Undo-send: take back a reply whose delivery is still held back; returns its text.

    One conditional DELETE decides against the worker's claim (an UPDATE of the same row):
    either the delivery is still waiting and is removed with its message, or it is already on
    its way and this raises.
    """
    if message.private or message.direction != Direction.OUTGOING:
        raise ActionError("Only a reply can be taken back.")
    if actor.agent_id is None or message.sender_agent_id != actor.agent_id:
        raise ActionError("Only the agent who wrote the reply can take it back.")
    taken, _kinds = Delivery.objects.filter(
        message=message, status=OutboundStatus.QUEUED, attempts=0,
        next_attempt_at__gt=timezone.now(),
    ).delete()
    if not taken:
        raise ActionError("Too late: the reply is already on its way.")
    # The composer's Markdown comes back as it was typed (text is its plain rendering).
    text = str((message.metadata or {}).get("markdown") or message.text)
    conversation = message.conversation
    payload = {
        "type": "message.updated",
        "conversation": conversation_payload(conversation),
        "message": {**message_payload(message), "deleted": True},
    }
    message.delete()
    _as_if_never_written(conversation)
    publish_on_commit(conversation.account_id, payload)
    return text


def _as_if_never_written(conversation: Conversation) -> None:
    """After an undo: the conversation's count and times as the remaining messages tell them
    (one message fewer, the shopper waiting again since their first unanswered message).
    `first_reply_at` stays: a held reply never set it (it is set when the reply goes out)."""
    messages = Message.objects.filter(conversation=conversation, private=False)
    replies = messages.filter(direction=Direction.OUTGOING,
                              sender_type__in=(SenderType.AGENT, SenderType.BOT))
    last_reply = replies.order_by("-created_at").values_list("created_at", flat=True).first()
    unanswered = messages.filter(direction=Direction.INCOMING)
    if last_reply is not None:
        unanswered = unanswered.filter(created_at__gt=last_reply)
    conversation.waiting_since = (unanswered.order_by("created_at")
                                  .values_list("created_at", flat=True).first())
    last = messages.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None:
        conversation.last_message_at = last
    count = conversation.message_count
    conversation.message_count = Greatest(F("message_count") - 1, 0)  # type: ignore[assignment]
    conversation.save(update_fields=["waiting_since", "last_message_at", "message_count",
                                     "updated_at"])
    conversation.message_count = max(count - 1, 0)


MENTION_RE = re.compile(r"@([\w.+-]+@[\w-]+\.[\w.-]+|[\w.-]+)")


def add_note(
    conversation: Conversation,
    actor: Actor,
    text: str,
    *,
    attachments: Sequence[IncomingFile] = (),
    html: str | None = None,
    at: datetime | None = None,
) -> Message:
    """A private note for the team; @mentions of teammates are resolved and recorded.
    `at`: when it was written, if earlier than now (history being loaded)."""
    check_original_time("at", at)
    with staged_files(attachments) as stored:
        return _add_note(conversation, actor, text, stored, html, at)


@transaction.atomic
def _add_note(
    conversation: Conversation, actor: Actor, text: str, attachments: Sequence[StoredFile],
    html: str | None = None,
    at: datetime | None = None,
) -> Message:
    text = text.strip()
    if not text and not attachments:
        raise ActionError("The note is empty.")
    check_text("text", text)
    if len(text) > MAX_TEXT_CHARS:
        raise ActionError(f"The note is longer than {MAX_TEXT_CHARS} characters.")
    mentioned = _mentioned_members(conversation.account_id, text)
    message = _create_outgoing(
        conversation, actor, text, html, attachments, private=True,
        status=DeliveryStatus.INTERNAL, at=at,
    )
    if mentioned:
        message.metadata = {"mentions": [m.pk for m in mentioned]}
        message.save(update_fields=["metadata"])
        Mention.objects.bulk_create(
            Mention(account_id=conversation.account_id, message=message,
                    conversation=conversation, membership=member, **stamped(at))
            for member in mentioned
        )
    record_event(
        conversation,
        EventKind.NOTE_ADDED,
        actor,
        message_id=message.pk,
        mentions=[m.pk for m in mentioned],
        occurred_at=at,
    )
    _publish_message(conversation, message)
    for member in mentioned:
        publish_on_commit(
            conversation.account_id,
            {
                "type": "mention.created",
                "membership_id": member.pk,
                "conversation": conversation_payload(conversation),
                "message": message_payload(message),
            },
        )
    return message


def _mentioned_members(account_id: int, text: str) -> list[Membership]:
    handles = {h.lower() for h in MENTION_RE.findall(text)}
    if not handles:
        return []
    members = Membership.objects.filter(account_id=account_id, is_active=True).select_related(
        "agent"
    )
    found = []
    for member in members:
        email = member.agent.email.lower()
        names = {email, email.split("@")[0], member.agent.name.lower().replace(" ", "")}
        if handles & names:
            found.append(member)
    return found


def _create_outgoing(
    conversation: Conversation,
    actor: Actor,
    text: str,
    html: str | None,
    stored: Sequence[StoredFile],
    *,
    private: bool,
    status: str,
    content_type: str = ContentType.TEXT,
    content: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Message:
    sender_type = {"agent": SenderType.AGENT, "bot": SenderType.BOT}.get(
        actor.type, SenderType.SYSTEM
    )
    message = Message.objects.create(
        account_id=conversation.account_id,
        conversation=conversation,
        inbox_id=conversation.inbox_id,
        direction=Direction.OUTGOING,
        sender_type=sender_type,
        sender_agent_id=actor.agent_id,
        text=text,
        search_text=fold(text),
        html=sanitize_html(html),
        content_type=content_type,
        content=content or {},
        private=private,
        delivery_status=status,
        metadata=metadata or {},
        **stamped(at),
    )
    _save_attachments(message, stored)
    return message


def _publish_message(conversation: Conversation, message: Message) -> None:
    publish_on_commit(
        conversation.account_id,
        {
            "type": "message.created",
            "conversation": conversation_payload(conversation),
            "message": message_payload(message),
        },
    )


@transaction.atomic
def retry_delivery(message: Message, actor: Actor) -> Delivery:
    """Queue a failed outgoing message again (the agent's "retry" button)."""
    delivery = Delivery.objects.select_for_update().filter(message=message).first()
    if delivery is None or delivery.status != "failed":
        raise ActionError("Only a failed message can be retried.")
    delivery.status = "queued"
    delivery.next_attempt_at = timezone.now()
    delivery.attempts = 0
    delivery.last_error = ""
    delivery.save(
        update_fields=["status", "next_attempt_at", "attempts", "last_error", "updated_at"]
    )
    Message.objects.filter(pk=message.pk).update(
        delivery_status=DeliveryStatus.PENDING, delivery_error=""
    )
    message.refresh_from_db()
    record_event(message.conversation, EventKind.MESSAGE_RETRIED, actor, message_id=message.pk)
    enqueue_on_commit(deliver, Delivery.OUTBOX_KIND, delivery.pk)
    _publish_message_update(message)
    return delivery


def _publish_message_update(message: Message) -> None:
    publish_on_commit(
        message.account_id,
        {
            "type": "message.updated",
            "conversation": conversation_payload(message.conversation),
            "message": message_payload(message),
        },
    )
