"""Every write to conversations and messages. Views, the API, connectors and tasks call these.

Each action runs in one transaction, writes a timeline row, and defers its side effects
(realtime pushes, task enqueues) to after commit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from storedesk.accounts.models import Account, Membership, Team
from storedesk.commerce.models import Store
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.actor import CONTACT, SYSTEM, Actor
from storedesk.core.errors import ActionError
from storedesk.core.oncommit import enqueue_on_commit, publish_on_commit
from storedesk.core.sanitize import sanitize_html
from storedesk.inbox.events import conversation_payload, message_payload, record_event
from storedesk.inbox.models import (
    PRIORITY_RANK,
    Attachment,
    Conversation,
    Delivery,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Priority,
    SenderType,
    Status,
    Tag,
)
from storedesk.inbox.storage import IncomingFile, store_file
from storedesk.inbox.transitions import REOPENABLE, check_transition

MAX_TEXT_CHARS = 100_000


# --- Inbound --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Received:
    conversation: Conversation
    message: Message
    created: bool  # False when the same source_id was received before


def receive_message(inbox: Inbox, inbound: InboundMessage) -> Received:
    """The one inbound entry point. Idempotent on (inbox, source_id), also under races."""
    source_id = (inbound.source_id or "").strip() or None
    if source_id:
        existing = _existing(inbox, source_id)
        if existing is not None:
            return existing
    if not inbound.sender_id.strip():
        raise ActionError("The sender id is required.")
    if not inbound.text.strip() and not inbound.html and not inbound.attachments:
        raise ActionError("The message is empty.")
    if len(inbound.text) > MAX_TEXT_CHARS:
        raise ActionError(f"The message is longer than {MAX_TEXT_CHARS} characters.")
    stored = [store_file(f) for f in inbound.attachments]
    try:
        received = _receive(inbox, inbound, source_id, stored)
    except IntegrityError:
        # A concurrent delivery of the same message won the race; return what it stored.
        if source_id:
            existing = _existing(inbox, source_id)
            if existing is not None:
                return existing
        raise
    _after_receive(received)
    return received


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
    inbox: Inbox, inbound: InboundMessage, source_id: str | None, stored: Sequence[Any]
) -> Received:
    now = timezone.now()
    identity = _resolve_identity(inbox, inbound)
    conversation = _conversation_for(inbox, identity, inbound, now)
    message = Message.objects.create(
        account_id=inbox.account_id,
        conversation=conversation,
        inbox=inbox,
        direction=Direction.INCOMING,
        sender_type=SenderType.CONTACT,
        sender_contact_id=identity.contact_id,
        text=inbound.text,
        html=sanitize_html(inbound.html),
        source_id=source_id,
        delivery_status=DeliveryStatus.RECEIVED,
        metadata=inbound.metadata,
    )
    for f in stored:
        Attachment.objects.create(
            account_id=inbox.account_id,
            message=message,
            storage_key=f.storage_key,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
        )
    conversation.last_message_at = now
    conversation.last_incoming_at = now
    if conversation.waiting_since is None:
        conversation.waiting_since = now
    _save_with_count(
        conversation,
        ["status", "snoozed_until", "last_message_at", "last_incoming_at", "waiting_since"],
    )
    record_event(conversation, "message_received", CONTACT, message_id=message.pk)
    return Received(conversation=conversation, message=message, created=True)


def _resolve_identity(inbox: Inbox, inbound: InboundMessage) -> ContactIdentity:
    sender_id = inbound.sender_id.strip()[:255]
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
            contact = _find_contact(inbox.account_id, inbound) or Contact.objects.create(
                account_id=inbox.account_id,
                name=inbound.name[:200],
                email=inbound.email[:254].lower(),
                phone=inbound.phone[:32],
            )
            return ContactIdentity.objects.create(
                account_id=inbox.account_id, inbox=inbox, contact=contact, source_id=sender_id
            )
    except IntegrityError:
        return ContactIdentity.objects.select_for_update().get(inbox=inbox, source_id=sender_id)


def _find_contact(account_id: int, inbound: InboundMessage) -> Contact | None:
    """Join a known shopper across channels by email, then phone."""
    contacts = Contact.objects.filter(account_id=account_id, merged_into__isnull=True)
    if inbound.email:
        found = contacts.filter(email=inbound.email.lower()).order_by("pk").first()
        if found:
            return found
    if inbound.phone:
        return contacts.filter(phone=inbound.phone).order_by("pk").first()
    return None


def _conversation_for(
    inbox: Inbox, identity: ContactIdentity, inbound: InboundMessage, now: datetime
) -> Conversation:
    candidates = Conversation.objects.filter(identity=identity, status__in=REOPENABLE)
    conversation = None
    if inbound.conversation_id is not None:
        conversation = candidates.filter(pk=inbound.conversation_id).first()
    if conversation is None:
        conversation = candidates.order_by("-pk").first()
    if conversation is not None:
        if conversation.status != Status.OPEN:
            previous = conversation.status
            conversation.status = Status.OPEN
            conversation.snoozed_until = None
            record_event(conversation, "status_changed", SYSTEM, old=previous, new=Status.OPEN)
        return conversation
    conversation = Conversation.objects.create(
        account_id=inbox.account_id,
        display_id=next_display_id(inbox.account_id),
        inbox=inbox,
        contact_id=identity.contact_id,
        identity=identity,
        store_id=inbox.store_id,
        team_id=inbox.team_id,
        subject=inbound.subject[:255],
        language=(inbound.metadata.get("language") or "")[:8],
        last_message_at=now,
    )
    record_event(conversation, "conversation_opened", CONTACT)
    return conversation


def next_display_id(account_id: int) -> int:
    """Take the next per-account conversation number (inside the caller's transaction)."""
    table = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_display_id = last_display_id + 1 "  # noqa: S608
            "WHERE id = %s RETURNING last_display_id",
            [account_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise ActionError("Unknown account.")
    return int(row[0])


def _after_receive(received: Received) -> None:
    if not received.created:
        return
    publish_on_commit(
        received.conversation.account_id,
        {
            "type": "message.created",
            "conversation": conversation_payload(received.conversation),
            "message": message_payload(received.message),
        },
    )


# --- Outbound -------------------------------------------------------------------------------


@transaction.atomic
def send_reply(
    conversation: Conversation,
    actor: Actor,
    text: str,
    *,
    html: str | None = None,
    attachments: Sequence[IncomingFile] = (),
) -> Message:
    """Write an outgoing message as `pending` and queue its delivery through the connector."""
    text = text.strip()
    if not text and not attachments:
        raise ActionError("The reply is empty.")
    if len(text) > MAX_TEXT_CHARS:
        raise ActionError(f"The reply is longer than {MAX_TEXT_CHARS} characters.")
    if conversation.status == Status.CLOSED:
        raise ActionError("This conversation is closed; start a new one to write to the shopper.")
    now = timezone.now()
    message = _create_outgoing(
        conversation, actor, text, html, attachments, private=False, status=DeliveryStatus.PENDING
    )
    delivery = Delivery.objects.create(
        account_id=conversation.account_id, message=message, next_attempt_at=now
    )
    conversation.last_message_at = now
    conversation.waiting_since = None
    if conversation.first_reply_at is None and actor.type in ("agent", "bot"):
        conversation.first_reply_at = now
    _save_with_count(conversation, ["last_message_at", "waiting_since", "first_reply_at"])
    record_event(conversation, "reply_sent", actor, message_id=message.pk)
    from storedesk.inbox.tasks import deliver_message

    enqueue_on_commit(deliver_message, delivery.pk)
    _publish_message(conversation, message)
    return message


MENTION_RE = re.compile(r"@([\w.+-]+@[\w-]+\.[\w.-]+|[\w.-]+)")


@transaction.atomic
def add_note(
    conversation: Conversation,
    actor: Actor,
    text: str,
    *,
    attachments: Sequence[IncomingFile] = (),
) -> Message:
    """A private note for the team; @mentions of teammates are resolved and recorded."""
    text = text.strip()
    if not text and not attachments:
        raise ActionError("The note is empty.")
    if len(text) > MAX_TEXT_CHARS:
        raise ActionError(f"The note is longer than {MAX_TEXT_CHARS} characters.")
    mentioned = _mentioned_members(conversation.account_id, text)
    message = _create_outgoing(
        conversation, actor, text, None, attachments, private=True, status=DeliveryStatus.SENT
    )
    if mentioned:
        message.metadata = {"mentions": [m.pk for m in mentioned]}
        message.save(update_fields=["metadata"])
    record_event(
        conversation, "note_added", actor, message_id=message.pk,
        mentions=[m.pk for m in mentioned],
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
    attachments: Sequence[IncomingFile],
    *,
    private: bool,
    status: str,
) -> Message:
    sender_type = {"agent": SenderType.AGENT, "bot": SenderType.BOT}.get(
        actor.type, SenderType.SYSTEM
    )
    stored = [store_file(f) for f in attachments]
    message = Message.objects.create(
        account_id=conversation.account_id,
        conversation=conversation,
        inbox_id=conversation.inbox_id,
        direction=Direction.OUTGOING,
        sender_type=sender_type,
        sender_agent_id=actor.agent_id,
        text=text,
        html=sanitize_html(html),
        private=private,
        delivery_status=status,
    )
    for f in stored:
        Attachment.objects.create(
            account_id=conversation.account_id,
            message=message,
            storage_key=f.storage_key,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
        )
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
    record_event(message.conversation, "delivery_retried", actor, message_id=message.pk)
    from storedesk.inbox.tasks import deliver_message

    enqueue_on_commit(deliver_message, delivery.pk)
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


# --- Conversation properties ----------------------------------------------------------------


@transaction.atomic
def change_status(
    conversation: Conversation,
    actor: Actor,
    status: str,
    *,
    snoozed_until: datetime | None = None,
) -> Conversation:
    conversation = _locked(conversation)
    check_transition(conversation.status, status)
    if status == Status.SNOOZED and (snoozed_until is None or snoozed_until <= timezone.now()):
        raise ActionError("Snoozing needs a time in the future.")
    previous = conversation.status
    conversation.status = status
    conversation.snoozed_until = snoozed_until if status == Status.SNOOZED else None
    if status in (Status.RESOLVED, Status.CLOSED):
        conversation.resolved_at = timezone.now()
        conversation.waiting_since = None
    conversation.save(
        update_fields=["status", "snoozed_until", "resolved_at", "waiting_since", "updated_at"]
    )
    record_event(
        conversation, "status_changed", actor, old=previous, new=status,
        snoozed_until=snoozed_until.isoformat() if snoozed_until else None,
    )
    _publish_conversation(conversation)
    return conversation


@transaction.atomic
def assign(
    conversation: Conversation,
    actor: Actor,
    *,
    assignee: Membership | None,
    team: Team | None = None,
    set_team: bool = False,
) -> Conversation:
    """Give the conversation to an agent (or nobody) and optionally to a team."""
    conversation = _locked(conversation)
    if assignee is not None and (
        assignee.account_id != conversation.account_id or not assignee.is_active
    ):
        raise ActionError("That agent is not an active member of this account.")
    if team is not None and team.account_id != conversation.account_id:
        raise ActionError("That team does not belong to this account.")
    old_assignee, old_team = conversation.assignee_id, conversation.team_id
    conversation.assignee = assignee
    if set_team:
        conversation.team = team
    if (old_assignee, old_team) == (conversation.assignee_id, conversation.team_id):
        return conversation
    conversation.save(update_fields=["assignee", "team", "updated_at"])
    record_event(
        conversation, "assigned", actor,
        old_assignee=old_assignee, new_assignee=conversation.assignee_id,
        old_team=old_team, new_team=conversation.team_id,
    )
    _publish_conversation(conversation)
    return conversation


@transaction.atomic
def set_priority(conversation: Conversation, actor: Actor, priority: str) -> Conversation:
    if priority not in Priority.values:
        raise ActionError(f"Unknown priority {priority!r}.")
    conversation = _locked(conversation)
    if conversation.priority == priority:
        return conversation
    previous = conversation.priority
    conversation.priority = priority
    conversation.priority_rank = PRIORITY_RANK[Priority(priority)]
    conversation.save(update_fields=["priority", "priority_rank", "updated_at"])
    record_event(conversation, "priority_changed", actor, old=previous, new=priority)
    _publish_conversation(conversation)
    return conversation


TAG_RE = re.compile(r"^[\w][\w .:/-]{0,63}$")


@transaction.atomic
def tag(conversation: Conversation, actor: Actor, name: str) -> Tag:
    name = name.strip().lower()
    if not TAG_RE.match(name):
        raise ActionError("A tag is 1-64 letters, digits, spaces or . : / - _")
    tag_row, _ = Tag.objects.get_or_create(account_id=conversation.account_id, name=name)
    if conversation.tags.filter(pk=tag_row.pk).exists():
        return tag_row
    conversation.tags.add(tag_row)
    record_event(conversation, "tagged", actor, tag=name)
    _publish_conversation(conversation, with_tags=True)
    return tag_row


@transaction.atomic
def untag(conversation: Conversation, actor: Actor, name: str) -> None:
    name = name.strip().lower()
    tag_row = Tag.objects.filter(account_id=conversation.account_id, name=name).first()
    if tag_row is None or not conversation.tags.filter(pk=tag_row.pk).exists():
        return
    conversation.tags.remove(tag_row)
    record_event(conversation, "untagged", actor, tag=name)
    _publish_conversation(conversation, with_tags=True)


@transaction.atomic
def mark_read(conversation: Conversation, actor: Actor) -> None:
    """Remember that this agent has seen the conversation up to now (unread indicators)."""
    from storedesk.inbox.models import ConversationRead

    if actor.agent_id is None:
        return
    ConversationRead.objects.update_or_create(
        conversation=conversation, agent_id=actor.agent_id,
        defaults={"last_read_at": timezone.now()},
    )


def _save_with_count(conversation: Conversation, fields: list[str]) -> None:
    """Save `fields` and add one to message_count in SQL (safe against concurrent writers).

    The in-memory count is bumped too, without a re-read; the database holds the exact value.
    """
    count = conversation.message_count
    conversation.message_count = F("message_count") + 1  # type: ignore[assignment]
    conversation.save(update_fields=[*fields, "message_count", "updated_at"])
    conversation.message_count = count + 1


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def _publish_conversation(conversation: Conversation, *, with_tags: bool = False) -> None:
    tags = sorted(conversation.tags.values_list("name", flat=True)) if with_tags else None
    publish_on_commit(
        conversation.account_id,
        {
            "type": "conversation.updated",
            "conversation": conversation_payload(conversation, tags=tags),
        },
    )


# --- Inboxes and tags, from the settings pages (UI-SHELL) -----------------------------------

SETTINGS_CHANNELS = ("api", "email", "webchat")
SMTP_SECURITY = ("none", "starttls", "tls")
TAG_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _clean_inbox_config(channel: str, config: dict[str, Any],
                        previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keep only the fields each channel understands; validate them."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator, validate_email

    previous = previous or {}
    if channel == "api":
        url = str(config.get("webhook_url") or "").strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError as exc:
                raise ActionError(gettext_noop("The webhook URL must be an http(s) URL.")) from exc
        return {**previous, "webhook_url": url}
    if channel == "email":
        address = str(config.get("address") or "").strip().lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ActionError(gettext_noop("An email inbox needs a valid address.")) from exc
        smtp_in = dict(config.get("smtp") or {})
        old_smtp = dict(previous.get("smtp") or {})
        smtp: dict[str, Any] = {}
        host = str(smtp_in.get("host") or "").strip()
        if host:
            security = str(smtp_in.get("security") or "starttls")
            if security not in SMTP_SECURITY:
                raise ActionError(gettext_noop("Unknown SMTP security setting."))
            try:
                port = int(smtp_in.get("port") or (465 if security == "tls" else 587))
            except (TypeError, ValueError) as exc:
                raise ActionError(gettext_noop("The SMTP port must be a number.")) from exc
            if not 0 < port < 65536:
                raise ActionError(gettext_noop("The SMTP port must be a number."))
            smtp = {"host": host, "port": port, "security": security,
                    "username": str(smtp_in.get("username") or "").strip()}
            # An empty password field keeps the stored one (forms never echo secrets back).
            password = smtp_in.get("password") or old_smtp.get("password") or ""
            if password:
                smtp["password"] = str(password)
        return {**{k: v for k, v in previous.items() if k != "smtp"}, "address": address,
                **({"smtp": smtp} if smtp else {})}
    if channel == "webchat":
        greeting = str(config.get("greeting") or "").strip()[:500]
        return {**previous, "greeting": greeting}
    raise ActionError(gettext_noop("That channel cannot be set up here."))


@transaction.atomic
def create_inbox(
    account: Account, *, name: str, channel: str, config: dict[str, Any], by: Any = None,
    team: Team | None = None, store: Store | None = None,
) -> Inbox:
    """Create an API, email or chat inbox. The signing secret is generated here."""
    from storedesk.accounts.actions import audit

    name = name.strip()[:200]
    if not name:
        raise ActionError(gettext_noop("An inbox needs a name."))
    if channel not in SETTINGS_CHANNELS:
        raise ActionError(gettext_noop("That channel cannot be set up here."))
    if team is not None and team.account_id != account.pk:
        raise ActionError(gettext_noop("That team does not belong to this account."))
    if store is not None and store.account_id != account.pk:
        raise ActionError(gettext_noop("That store does not belong to this account."))
    inbox = Inbox.objects.create(account=account, name=name, channel=channel, team=team,
                                 store=store, config=_clean_inbox_config(channel, config))
    audit("inbox.created", account=account, actor=by, obj=inbox, name=name, channel=channel)
    return inbox


@transaction.atomic
def update_inbox(
    inbox: Inbox, *, name: str, config: dict[str, Any], by: Any = None,
    team: Team | None = None,
) -> Inbox:
    from storedesk.accounts.actions import audit

    name = name.strip()[:200]
    if not name:
        raise ActionError(gettext_noop("An inbox needs a name."))
    if team is not None and team.account_id != inbox.account_id:
        raise ActionError(gettext_noop("That team does not belong to this account."))
    inbox.name = name
    inbox.team = team
    inbox.config = _clean_inbox_config(inbox.channel, config, inbox.config)
    inbox.save(update_fields=["name", "team", "config", "updated_at"])
    audit("inbox.updated", account=inbox.account_id, actor=by, obj=inbox, name=name)
    return inbox


@transaction.atomic
def deactivate_inbox(inbox: Inbox, *, by: Any = None) -> Inbox:
    from storedesk.accounts.actions import audit

    if inbox.is_active:
        inbox.is_active = False
        inbox.save(update_fields=["is_active", "updated_at"])
        audit("inbox.deactivated", account=inbox.account_id, actor=by, obj=inbox)
    return inbox


def _clean_tag(name: str, color: str) -> tuple[str, str]:
    name = name.strip().lower()
    if not TAG_RE.match(name):
        raise ActionError(gettext_noop("A tag is 1-64 letters, digits, spaces or . : / - _"))
    color = (color or "#6b7280").strip()
    if not TAG_COLOR_RE.match(color):
        raise ActionError(gettext_noop("A colour looks like #1a2b3c."))
    return name, color.lower()


@transaction.atomic
def create_tag(account: Account, name: str, *, color: str = "#6b7280", by: Any = None) -> Tag:
    from storedesk.accounts.actions import audit

    name, color = _clean_tag(name, color)
    if Tag.objects.filter(account=account, name=name).exists():
        raise ActionError(gettext_noop("That tag already exists."))
    tag_row = Tag.objects.create(account=account, name=name, color=color)
    audit("tag.created", account=account, actor=by, obj=tag_row, name=name)
    return tag_row


@transaction.atomic
def update_tag(tag_row: Tag, *, name: str, color: str, by: Any = None) -> Tag:
    """Rename and/or recolour a tag; conversations keep it under the new name."""
    from storedesk.accounts.actions import audit

    name, color = _clean_tag(name, color)
    if Tag.objects.filter(account_id=tag_row.account_id, name=name).exclude(
        pk=tag_row.pk
    ).exists():
        raise ActionError(gettext_noop("That tag already exists."))
    old = tag_row.name
    tag_row.name, tag_row.color = name, color
    tag_row.save(update_fields=["name", "color", "updated_at"])
    audit("tag.updated", account=tag_row.account_id, actor=by, obj=tag_row, old=old, new=name)
    return tag_row


@transaction.atomic
def delete_tag(tag_row: Tag, *, by: Any = None) -> None:
    """Remove a tag from every conversation and delete it."""
    from storedesk.accounts.actions import audit

    audit("tag.deleted", account=tag_row.account_id, actor=by, obj=tag_row, name=tag_row.name)
    tag_row.delete()
