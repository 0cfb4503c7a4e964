"""The one inbound entry point: receive_message (idempotent on (inbox, source_id)); its batch
form receive_messages (many in one transaction, one result per item) is in batch.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from storedesk.accounts.actor import CONTACT, SYSTEM
from storedesk.accounts.models import Account
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.errors import ActionError
from storedesk.core.folding import contact_search_key, fold
from storedesk.core.models import stamped
from storedesk.core.oncommit import publish_on_commit
from storedesk.core.sanitize import sanitize_html
from storedesk.core.validation import (
    check_email,
    check_json,
    check_original_time,
    check_text,
    model_max_length,
)
from storedesk.events import EventKind
from storedesk.inbox.actions._shared import (
    MAX_TEXT_CHARS,
    _save_attachments,
    _save_with_count,
)
from storedesk.inbox.events import conversation_payload, message_payload, record_event
from storedesk.inbox.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    SenderType,
    Status,
)
from storedesk.inbox.storage import IncomingFile, discard, staged_files
from storedesk.inbox.transitions import REOPENABLE, check_transition


@dataclass(frozen=True)
class InboundMessage:
    """A message a connector received, normalised for `receive_message`."""

    sender_id: str  # who wrote, as the channel knows them (email address, chat visitor id...)
    text: str
    source_id: str | None = None  # the provider's message id; the idempotency key
    html: str | None = None
    name: str = ""
    email: str = ""
    phone: str = ""
    subject: str = ""
    attachments: Sequence[IncomingFile] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    # Lands in this conversation when it still exists and accepts messages (email threading).
    conversation_id: int | None = None
    # Without a matching `conversation_id`, open a new conversation instead of joining the
    # sender's latest open one (an email that starts a new thread).
    new_conversation: bool = False
    # When the shopper wrote it, if earlier than now (a batch of queued or old messages): the
    # message, a conversation it opens and their timeline rows carry this time.
    created_at: datetime | None = None


@dataclass(frozen=True)
class Received:
    conversation: Conversation
    message: Message
    created: bool  # False when the same source_id was received before


def receive_message(
    inbox: Inbox, inbound: InboundMessage, *, historic: bool = False
) -> Received:
    """The one inbound entry point. Idempotent on (inbox, source_id), also under races.

    `historic=True` files a message from the past: its timeline rows are written already
    dispatched, so no subscriber (assistant, rules, store webhooks) reacts, and agents' screens
    are not notified (see "Domain events" in docs/architecture.md).
    """
    return _receive_one(inbox, inbound, historic, _existing)


def _receive_one(
    inbox: Inbox,
    inbound: InboundMessage,
    historic: bool,
    seen: Callable[[Inbox, str], Received | None],
) -> Received:
    """`receive_message`; `seen` finds a message received before by its source_id (a query,
    or the batch's lookup made in one query for all its items)."""
    source_id, existing = check_inbound(inbox, inbound, seen)
    if existing is not None:
        return existing
    with staged_files(inbound.attachments) as stored:
        try:
            received = _receive(inbox, inbound, source_id, stored, historic)
        except IntegrityError:
            # A concurrent delivery of the same message won the race; return what it stored.
            if source_id:
                existing = _existing(inbox, source_id)
                if existing is not None:
                    discard(stored)
                    return existing
            raise
    if not historic:
        _after_receive(received)
    return received


BATCH_MAX = 500


def check_inbound(
    inbox: Inbox, inbound: InboundMessage, seen: Callable[[Inbox, str], Received | None]
) -> tuple[str | None, Received | None]:
    """What receive_message checks before it writes anything: the values (`ActionError` when
    refused), and whether the message was received before. Returns its cleaned source_id and
    that earlier message (or None)."""
    _check_storable(inbound)
    source_id = (inbound.source_id or "").strip() or None
    if source_id:
        existing = seen(inbox, source_id)
        if existing is not None:
            return source_id, existing
    if not inbound.sender_id.strip():
        raise ActionError("The sender id is required.")
    if not inbound.text.strip() and not inbound.html and not inbound.attachments:
        raise ActionError("The message is empty.")
    if len(inbound.text) > MAX_TEXT_CHARS:
        raise ActionError(f"The message is longer than {MAX_TEXT_CHARS} characters.")
    return source_id, None


def _check_storable(inbound: InboundMessage) -> None:
    """Every connector's values, checked against what both databases store (400 otherwise)."""
    check_text("sender_id", inbound.sender_id, model_max_length(ContactIdentity, "source_id"))
    check_text("text", inbound.text)
    if inbound.source_id is not None:
        check_text("message_id", inbound.source_id, model_max_length(Message, "source_id"))
    if inbound.html is not None:
        check_text("html", inbound.html)
    check_text("name", inbound.name, model_max_length(Contact, "name"))
    check_text("email", inbound.email, model_max_length(Contact, "email"))
    check_email("email", inbound.email.strip())
    check_text("phone", inbound.phone, model_max_length(Contact, "phone"))
    check_text("subject", inbound.subject, model_max_length(Conversation, "subject"))
    check_json("metadata", inbound.metadata)
    check_original_time("created_at", inbound.created_at)
    for incoming in inbound.attachments:
        check_text("attachment filename", incoming.filename)
        check_text("attachment content type", incoming.content_type)


def _existing(inbox: Inbox, source_id: str) -> Received | None:
    message = (
        Message.objects.select_related("conversation")
        .filter(inbox=inbox, source_id=source_id)
        .first()
    )
    if message is None:
        return None
    return Received(conversation=message.conversation, message=message, created=False)


@transaction.atomic
def _receive(
    inbox: Inbox,
    inbound: InboundMessage,
    source_id: str | None,
    stored: Sequence[Any],
    historic: bool = False,
) -> Received:
    now = inbound.created_at or timezone.now()
    identity = _resolve_identity(inbox, inbound)
    conversation = _conversation_for(inbox, identity, inbound, now, historic)
    message = Message.objects.create(
        account_id=inbox.account_id,
        conversation=conversation,
        inbox=inbox,
        direction=Direction.INCOMING,
        sender_type=SenderType.CONTACT,
        sender_contact_id=identity.contact_id,
        text=inbound.text,
        search_text=fold(inbound.text),
        html=sanitize_html(inbound.html),
        source_id=source_id,
        delivery_status=DeliveryStatus.RECEIVED,
        metadata=inbound.metadata,
        **stamped(inbound.created_at),
    )
    _save_attachments(message, stored)
    # An older message (a batch item with its original time) never moves these backwards.
    conversation.last_message_at = _latest(conversation.last_message_at, now)
    conversation.last_incoming_at = _latest(conversation.last_incoming_at, now)
    if conversation.waiting_since is None:
        conversation.waiting_since = now
    _save_with_count(
        conversation,
        ["status", "snoozed_until", "last_message_at", "last_incoming_at", "waiting_since"],
    )
    record_event(conversation, EventKind.MESSAGE_RECEIVED, CONTACT, message_id=message.pk,
                 occurred_at=inbound.created_at, historic=historic)
    return Received(conversation=conversation, message=message, created=True)


def _latest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate > current else current


def _resolve_identity(inbox: Inbox, inbound: InboundMessage) -> ContactIdentity:
    """The sender's identity on this inbox, creating it (and its contact) on a first message.

    Two unique constraints make this safe under any interleaving: (inbox, source_id) for the
    identity and (account, lower(email)) for the contact. The loser of a race rolls its
    savepoint back and re-reads what the winner committed (PostgreSQL's READ COMMITTED sees it
    on the next statement; SQLite serialises writers, so it never races).
    """
    sender_id = inbound.sender_id.strip()[:255]
    for _attempt in range(3):
        identity = (
            ContactIdentity.objects.select_for_update()
            .filter(inbox=inbox, source_id=sender_id)
            .first()
        )
        if identity is not None:
            return identity
        try:
            # Contact and identity in one savepoint: when a concurrent first message from the
            # same sender wins the race, both roll back and no orphan contact is left behind.
            with transaction.atomic():
                contact = _find_contact(inbox.account_id, inbound)
                if contact is None:
                    contact = new_contact(inbox.account_id, inbound)
                    contact.save(force_insert=True)
                return ContactIdentity.objects.create(
                    account_id=inbox.account_id, inbox=inbox, contact=contact,
                    source_id=sender_id, **stamped(inbound.created_at),
                )
        except IntegrityError:
            continue  # someone else created the identity or the contact: read theirs
    raise ActionError("The sender could not be recorded; please retry.")


def contact_keys(inbound: InboundMessage) -> tuple[str, str]:
    """What a first message is matched to a known contact by: its email (trimmed, lower
    case), then its phone; "" when absent."""
    return inbound.email[:254].strip().lower(), inbound.phone[:32]


def new_contact(account_id: int, inbound: InboundMessage) -> Contact:
    """The contact a new shopper's first message creates (not saved yet)."""
    email, phone = contact_keys(inbound)
    name = inbound.name[:200]
    return Contact(account_id=account_id, name=name, email=email, phone=phone,
                   search_key=contact_search_key(name, email, phone),
                   **stamped(inbound.created_at))


def _find_contact(account_id: int, inbound: InboundMessage) -> Contact | None:
    """Join a known shopper across channels by email, then phone."""
    email, phone = contact_keys(inbound)
    contacts = Contact.objects.filter(account_id=account_id, merged_into__isnull=True)
    if email:
        found = contacts.filter(email=email).order_by("pk").first()
        if found:
            return found
    if phone:
        return contacts.filter(phone=phone).order_by("pk").first()
    return None


def _conversation_for(
    inbox: Inbox,
    identity: ContactIdentity,
    inbound: InboundMessage,
    now: datetime,
    historic: bool = False,
) -> Conversation:
    candidates = Conversation.objects.filter(identity=identity, status__in=REOPENABLE)
    conversation = None
    if inbound.conversation_id is not None:
        conversation = candidates.filter(pk=inbound.conversation_id).first()
    if conversation is None and not inbound.new_conversation:
        conversation = candidates.order_by("-pk").first()
    if conversation is not None:
        if conversation.status != Status.OPEN:
            # A shopper writing reopens the conversation, through the one transition table.
            previous = conversation.status
            check_transition(previous, Status.OPEN)
            conversation.status = Status.OPEN
            conversation.snoozed_until = None
            record_event(
                conversation, EventKind.CONVERSATION_STATUS_CHANGED, SYSTEM,
                old=previous, new=Status.OPEN, reason="inbound_message",
                occurred_at=inbound.created_at, historic=historic,
            )
        return conversation
    conversation = new_conversation(inbox, identity, inbound, now,
                                    next_display_id(inbox.account_id))
    conversation.save(force_insert=True)
    record_event(conversation, EventKind.CONVERSATION_OPENED, CONTACT,
                 occurred_at=inbound.created_at, historic=historic)
    return conversation


def new_conversation(inbox: Inbox, identity: ContactIdentity, inbound: InboundMessage,
                     now: datetime, display_id: int) -> Conversation:
    """The conversation a shopper's message opens (not saved yet)."""
    return Conversation(
        account_id=inbox.account_id,
        display_id=display_id,
        inbox=inbox,
        contact_id=identity.contact_id,
        identity=identity,
        store_id=inbox.store_id,
        team_id=inbox.team_id,
        subject=inbound.subject[:255],
        search_subject=fold(inbound.subject[:255])[:512],
        language=(inbound.metadata.get("language") or "")[:8],
        last_message_at=now,
        **stamped(inbound.created_at),
    )


def next_display_id(account_id: int) -> int:
    """Take the next per-account conversation number (inside the caller's transaction)."""
    return next_display_ids(account_id, 1)[0]


def next_display_ids(account_id: int, count: int) -> list[int]:
    """Take the next `count` per-account conversation numbers in one statement."""
    table = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_display_id = last_display_id + %s "  # noqa: S608
            "WHERE id = %s RETURNING last_display_id",
            [count, account_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise ActionError("Unknown account.")
    last = int(row[0])
    return list(range(last - count + 1, last + 1))


def _after_receive(received: Received) -> None:
    if not received.created:
        return
    publish_on_commit(received.conversation.account_id, message_created(received))


def message_created(received: Received) -> dict[str, Any]:
    """The realtime event agents get for a new inbound message."""
    return {
        "type": "message.created",
        "conversation": conversation_payload(received.conversation),
        "message": message_payload(received.message),
    }
