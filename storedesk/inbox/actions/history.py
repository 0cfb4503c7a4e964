"""Imported history: conversations that happened in another helpdesk, written in bulk.

`import_history(inbox, conversations)` is the inbox's write path for imports (storedesk/importers
and its CLI call it once per chunk, inside their transaction). It is not `receive_message` run
many times: it writes conversations, messages, attachments, tags and one timeline row per
conversation with a handful of bulk statements (COPY on PostgreSQL), and fills every derived
field (display ids per account, search folding, counters, waiting/first-reply/resolved times)
itself, from the messages' original times.

Nothing it writes reaches a subscriber: the `conversation.imported` rows are historic (written
already dispatched), no `message.received` row is written, no reply is queued for delivery and
no realtime event is published. Idempotent on the messages' (inbox, source_id): a message
already stored is skipped, and a conversation one of whose messages is stored already gets only
the missing ones (a resumed or repeated import).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q

from storedesk.accounts.models import Membership
from storedesk.contacts.models import ContactIdentity
from storedesk.core import bulk
from storedesk.core.errors import ActionError
from storedesk.core.folding import fold
from storedesk.core.sanitize import sanitize_html
from storedesk.core.validation import check_datetime, check_json, check_text, model_max_length
from storedesk.events import EventKind
from storedesk.events.recording import PastEvent, record_past
from storedesk.inbox.actions._shared import MAX_TEXT_CHARS, TAG_RE
from storedesk.inbox.actions.inbound import next_display_ids
from storedesk.inbox.models import (
    PRIORITY_RANK,
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Priority,
    SenderType,
    Status,
    Tag,
)
from storedesk.inbox.storage import StoredFile, release_on_commit

CLOSING = (Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True)
class PastMessage:
    source_id: str  # unique per inbox: the idempotency key (e.g. "zendesk:comment:123")
    at: datetime
    sender_type: str  # SenderType: contact, agent, bot, system
    text: str
    html: str | None = None
    private: bool = False  # a note for the team
    sender_contact_id: int | None = None
    sender_agent_id: int | None = None  # an Agent of the account (matched by email), or None
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: Sequence[StoredFile] = ()


@dataclass(frozen=True)
class PastConversation:
    key: str  # the caller's key for the result (e.g. "zendesk:ticket:42")
    contact_id: int
    identity_id: int  # the contact's identity on the inbox (contacts.actions.import_contacts)
    messages: Sequence[PastMessage]
    subject: str = ""
    status: str = Status.RESOLVED
    priority: str = Priority.NORMAL
    tags: Sequence[str] = ()
    assignee_id: int | None = None  # a Membership of the account
    at: datetime | None = None  # opened; default: its first message
    resolved_at: datetime | None = None  # default: its last message, when resolved or closed
    language: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # kept on its conversation.imported row


@dataclass
class ImportedHistory:
    conversations: dict[str, int]  # key -> conversation id (new or already there)
    created: int = 0  # conversations opened
    appended: int = 0  # conversations already there that got missing messages
    messages: int = 0  # messages written
    duplicates: int = 0  # messages skipped: already stored (or twice in the input)


def import_history(
    inbox: Inbox, conversations: Sequence[PastConversation], *, expect_new: bool = False
) -> ImportedHistory:
    """Write these conversations of another helpdesk into `inbox` (see the module docstring).

    `expect_new`: the caller expects none of these messages to be stored (an import's next
    chunk after one without duplicates). They are then written without first looking up the
    stored ones (a probe of the unique index per message: about a tenth of an import's
    database time); the unique index still refuses a stored one, and then the chunk is
    rolled back to a savepoint and written again the careful way. The result is the same."""
    with transaction.atomic():
        _check(inbox, conversations)
        if expect_new:
            try:
                with transaction.atomic():
                    return _write(inbox, conversations, {})
            except IntegrityError:
                pass  # some are stored already: look them up, as without expect_new
        stored = _stored_messages(inbox, [m.source_id for c in conversations for m in c.messages])
        return _write(inbox, conversations, stored)


def _write(inbox: Inbox, conversations: Sequence[PastConversation],
           stored: dict[str, int]) -> ImportedHistory:
    """import_history's writes, `stored` being the messages already there (source_id ->
    conversation id)."""
    result = ImportedHistory(conversations={})
    fresh: list[tuple[PastConversation, list[PastMessage]]] = []
    grown: dict[int, list[PastMessage]] = defaultdict(list)
    seen: set[str] = set()
    for past in conversations:
        known = next((stored[m.source_id] for m in past.messages if m.source_id in stored),
                     None)
        new = []
        for message in past.messages:
            if message.source_id in stored or message.source_id in seen:
                result.duplicates += 1
                continue
            seen.add(message.source_id)
            new.append(message)
        if known is not None:
            result.conversations[past.key] = known
            if new:
                grown[known].extend(new)
        elif new:
            fresh.append((past, sorted(new, key=lambda m: m.at)))
    created = _open_conversations(inbox, fresh)  # (id, opened at), as `fresh`
    for (past, _), (conversation_id, _at) in zip(fresh, created, strict=True):
        result.conversations[past.key] = conversation_id
    targets = [(conversation_id, messages) for (_, messages), (conversation_id, _at)
               in zip(fresh, created, strict=True)] + list(grown.items())
    result.messages = _write_messages(inbox, targets)
    _tag(inbox.account_id, [(conversation_id, past.tags) for (past, _), (conversation_id, _at)
                            in zip(fresh, created, strict=True)])
    _recount(list(grown))
    result.created, result.appended = len(created), len(grown)
    record_past(inbox.account_id, [
        PastEvent(EventKind.CONVERSATION_IMPORTED, at=at, conversation_id=conversation_id,
                  data={**past.data, "messages": len(msgs)})
        for (past, msgs), (conversation_id, at) in zip(fresh, created, strict=True)
    ])
    return result


# --- Checks ---------------------------------------------------------------------------------


def _check(inbox: Inbox, conversations: Sequence[PastConversation]) -> None:
    """What both databases store, and tenancy: every id must belong to the inbox's account."""
    subject_max = model_max_length(Conversation, "subject")
    source_max = model_max_length(Message, "source_id")
    statuses, priorities = set(Status.values), set(Priority.values)
    senders = set(SenderType.values)
    identities: set[tuple[int, int]] = set()
    members: set[int] = set()
    agents: set[int] = set()
    contacts: set[int] = set()
    for past in conversations:
        check_text("subject", past.subject, subject_max)
        check_datetime("created_at", past.at)
        check_datetime("resolved_at", past.resolved_at)
        check_json("data", past.data)
        if past.status not in statuses:
            raise ActionError(f"{past.key}: unknown status {past.status!r}.")
        if past.priority not in priorities:
            raise ActionError(f"{past.key}: unknown priority {past.priority!r}.")
        for name in past.tags:
            if not TAG_RE.match(name):
                raise ActionError(f"{past.key}: {name!r} is not a valid tag name.")
        identities.add((past.identity_id, past.contact_id))
        if past.assignee_id is not None:
            members.add(past.assignee_id)
        for message in past.messages:
            if not message.source_id or len(message.source_id) > source_max:
                raise ActionError(f"{past.key}: a message id is empty or too long.")
            check_text("message_id", message.source_id)
            check_text("text", message.text)
            if len(message.text) > MAX_TEXT_CHARS:
                raise ActionError(f"{message.source_id}: longer than {MAX_TEXT_CHARS} characters.")
            if message.html is not None:
                check_text("html", message.html)
            check_datetime("created_at", message.at)
            check_json("metadata", message.metadata)
            if message.sender_type not in senders:
                raise ActionError(f"{message.source_id}: unknown sender {message.sender_type!r}.")
            if message.sender_agent_id is not None:
                agents.add(message.sender_agent_id)
            if message.sender_contact_id is not None:
                contacts.add(message.sender_contact_id)
    _check_owned(inbox, identities, members, agents, contacts)


def _check_owned(
    inbox: Inbox,
    identities: set[tuple[int, int]],
    members: set[int],
    agents: set[int],
    contacts: set[int],
) -> None:
    from storedesk.contacts.models import Contact

    account_id = inbox.account_id
    ids = [i for i, _ in identities]
    owned = set()
    for part in _chunks(ids):
        owned |= set(ContactIdentity.objects.filter(inbox=inbox, pk__in=part)
                     .values_list("pk", "contact_id"))
    if not identities <= owned:
        raise ActionError("A conversation's contact is not on this inbox.")
    account_members = Membership.objects.filter(account_id=account_id)
    if members and account_members.filter(pk__in=members).count() != len(members):
        raise ActionError("An assignee is not a member of this account.")
    if agents and len(set(account_members.filter(agent_id__in=agents)
                          .values_list("agent_id", flat=True))) != len(agents):
        raise ActionError("A message's agent is not a member of this account.")
    for part in _chunks(sorted(contacts)):
        if Contact.objects.filter(account_id=account_id, pk__in=part).count() != len(part):
            raise ActionError("A message's sender is not a contact of this account.")


def _stored_messages(inbox: Inbox, source_ids: list[str]) -> dict[str, int]:
    """source_id -> conversation id of the messages of `source_ids` already in the inbox."""
    found: dict[str, int] = {}
    if connection.vendor == "postgresql":
        # one array parameter instead of thousands of placeholders (binding an IN list of
        # 2,000 values cost more client CPU than the lookup costs the server)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT source_id, conversation_id FROM inbox_message "
                "WHERE inbox_id = %s AND source_id = ANY(%s)",
                [inbox.pk, list(set(source_ids))],
            )
            return {str(source_id): conversation_id for source_id, conversation_id in cursor}
    for part in _chunks(sorted(set(source_ids))):
        for source_id, conversation_id in Message.objects.filter(
            inbox=inbox, source_id__in=part
        ).values_list("source_id", "conversation_id"):
            found[str(source_id)] = conversation_id
    return found


# --- Writing --------------------------------------------------------------------------------


def _open_conversations(
    inbox: Inbox, fresh: list[tuple[PastConversation, list[PastMessage]]]
) -> list[tuple[int, datetime]]:
    """Conversation rows for the new threads; returns (id, opened at) for each, in order."""
    if not fresh:
        return []
    display_ids = next_display_ids(inbox.account_id, len(fresh))
    rows: list[dict[str, Any]] = []
    opened_at: list[datetime] = []
    for (past, messages), display_id in zip(fresh, display_ids, strict=True):
        opened = min(past.at or messages[0].at, messages[0].at)
        opened_at.append(opened)
        row: dict[str, Any] = {
            "account_id": inbox.account_id,
            "display_id": display_id,
            "inbox_id": inbox.pk,
            "contact_id": past.contact_id,
            "identity_id": past.identity_id,
            "store_id": inbox.store_id,
            "team_id": inbox.team_id,
            "assignee_id": past.assignee_id,
            "status": past.status,
            "priority": past.priority,
            "priority_rank": PRIORITY_RANK[Priority(past.priority)],
            "subject": past.subject,
            "search_subject": fold(past.subject)[:512],
            "language": past.language[:8],
            "created_at": opened,
        }
        row.update(_derived(past.status, opened, messages, past.resolved_at))
        rows.append(row)
    ids = bulk.insert_rows(Conversation, rows)
    return list(zip(ids, opened_at, strict=True))


def _derived(
    status: str, opened: datetime, messages: list[PastMessage], resolved_at: datetime | None
) -> dict[str, Any]:
    """The counters and times live actions keep up, computed from the history at once."""
    public = [m for m in messages if not m.private]
    last = public[-1].at if public else opened
    incoming = [m.at for m in public if m.sender_type == SenderType.CONTACT]
    waiting: datetime | None = None
    first_reply: datetime | None = None
    for message in public:  # oldest first
        if message.sender_type == SenderType.CONTACT:
            waiting = waiting or message.at
        elif message.sender_type in (SenderType.AGENT, SenderType.BOT):
            if waiting is not None and first_reply is None:
                first_reply = message.at
            waiting = None
    closed = status in CLOSING
    return {
        "message_count": len(public),
        "last_message_at": last,
        "last_incoming_at": max(incoming) if incoming else None,
        "first_reply_at": first_reply,
        "waiting_since": None if closed else waiting,
        "resolved_at": (resolved_at or last) if closed else None,
    }


def _write_messages(inbox: Inbox, targets: list[tuple[int, list[PastMessage]]]) -> int:
    rows: list[dict[str, Any]] = []
    files: list[tuple[int, datetime, Sequence[StoredFile]]] = []  # (row index, at, files)
    account_id, inbox_id = inbox.account_id, inbox.pk
    for conversation_id, messages in targets:
        for past in messages:
            incoming = past.sender_type == SenderType.CONTACT
            if past.private:
                status = DeliveryStatus.INTERNAL
            else:
                status = DeliveryStatus.RECEIVED if incoming else DeliveryStatus.SENT
            if past.attachments:
                files.append((len(rows), past.at, past.attachments))
            rows.append({
                "account_id": account_id,
                "conversation_id": conversation_id,
                "inbox_id": inbox_id,
                "direction": Direction.INCOMING if incoming and not past.private
                else Direction.OUTGOING,
                "sender_type": past.sender_type,
                "sender_agent_id": past.sender_agent_id,
                "sender_contact_id": past.sender_contact_id,
                "text": past.text,
                "search_text": fold(past.text),
                "html": sanitize_html(past.html) if past.html else None,
                "private": past.private,
                "source_id": past.source_id,
                "delivery_status": status,
                "metadata": past.metadata,
                "created_at": past.at,
            })
    # Ids are taken up front only when attachments need them.
    ids = bulk.insert_rows(Message, rows, returning_ids=bool(files))
    bulk.insert_rows(Attachment, [
        {"account_id": account_id, "message_id": ids[index], "storage_key": f.storage_key,
         "filename": f.filename, "content_type": f.content_type, "size": f.size,
         "sha256": f.sha256, "created_at": at}
        for index, at, stored in files for f in stored
    ])
    release_on_commit([f for _, _, stored in files for f in stored])
    return len(rows)


def _tag(account_id: int, tagged: list[tuple[int, Sequence[str]]]) -> None:
    names = sorted({name for _, tags in tagged for name in tags})
    if not names:
        return
    existing = dict(Tag.objects.filter(account_id=account_id, name__in=names)
                    .values_list("name", "pk"))
    missing = [Tag(account_id=account_id, name=name) for name in names if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    if missing:
        existing = dict(Tag.objects.filter(account_id=account_id, name__in=names)
                        .values_list("name", "pk"))
    through = Conversation.tags.through
    links = [
        through(conversation_id=conversation_id, tag_id=existing[name])
        for conversation_id, tags in tagged for name in dict.fromkeys(tags)
    ]
    through.objects.bulk_create(links, ignore_conflicts=True, batch_size=500)


def _recount(conversation_ids: list[int]) -> None:
    """Conversations that got missing messages: their counters from what is stored now."""
    for conversation_id in conversation_ids:
        figures = Message.objects.filter(conversation_id=conversation_id).aggregate(
            count=Count("pk", filter=Q(private=False)),
            last=Max("created_at", filter=Q(private=False)),
            last_in=Max("created_at", filter=Q(direction=Direction.INCOMING)),
        )
        changes: dict[str, Any] = {"message_count": figures["count"]}
        if figures["last"] is not None:
            changes["last_message_at"] = figures["last"]
        if figures["last_in"] is not None:
            changes["last_incoming_at"] = figures["last_in"]
        Conversation.objects.filter(pk=conversation_id).update(**changes)


def _chunks(values: Sequence[Any], size: int = 2000) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start:start + size])
