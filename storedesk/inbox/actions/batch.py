"""receive_messages: many inbound messages of one inbox in one transaction, one result per item.

The result of each item is what `receive_message` would have given (the same rows, the same
domain events and realtime pushes, the same errors), but the common case is written in bulk:

- the messages received before (by source_id) are found in one query for the whole batch;
- a message from a known shopper whose latest conversation is open, with nothing but text
  (no attachments, HTML, conversation hint, original time; not historic), is written with the
  others of its kind: their identities locked in one query (in source_id order, the same order
  in every transaction), their conversations read in one, the messages inserted in one
  statement (ids by RETURNING), the conversations' counters and times updated with one
  parametrised statement run for each, the `message.received` events inserted in one;
- every other message (a new shopper, a conversation to open or reopen, attachments...) goes
  through `receive_message`'s own path, in order, before the bulk part. A shopper with any such
  message in the batch has all of theirs go that way, so each conversation keeps its order.

If the bulk insert collides with a concurrent transaction storing the same message id, its
savepoint is rolled back and those items go through the single path, which finds the winner's
message. An item's `ActionError` is its result; any other error rolls the whole batch back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from storedesk.accounts.actor import CONTACT
from storedesk.contacts.models import ContactIdentity
from storedesk.core.errors import ActionError
from storedesk.core.folding import fold
from storedesk.core.oncommit import publish_many_on_commit
from storedesk.events import EventKind, record_many
from storedesk.inbox.actions.inbound import (
    BATCH_MAX,
    InboundMessage,
    Received,
    _latest,
    _receive_one,
    check_inbound,
    message_created,
)
from storedesk.inbox.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    SenderType,
    Status,
)
from storedesk.inbox.transitions import REOPENABLE

__all__ = ["BATCH_MAX", "receive_messages"]

Result = Received | ActionError


def receive_messages(
    inbox: Inbox, batch: Sequence[InboundMessage], *, historic: bool = False
) -> list[Received | ActionError]:
    """`receive_message` for many messages in one transaction: one result per item, in order.

    A refused item (its `ActionError` is its result) leaves the others in; an error that is
    not the item's fault (the database) rolls the whole batch back. Idempotent per item on
    (inbox, source_id), like the single form; a source_id repeated inside the batch returns
    the first item's message.
    """
    if len(batch) > BATCH_MAX:
        raise ActionError(f"A batch holds at most {BATCH_MAX} messages ({len(batch)} were sent).")
    results: list[Result | None] = [None] * len(batch)
    with transaction.atomic():
        seen = _Seen(_existing_many(inbox, batch))
        repeats = _repeats(batch)
        plan = _plan(inbox, batch, historic, skip=set(repeats))
        for index, inbound in enumerate(batch):
            if index not in plan.bulk and index not in repeats:
                results[index] = _one(inbox, inbound, historic, seen)
        for index, result in _write_bulk(inbox, batch, plan, seen).items():
            results[index] = result
        for index, first in repeats.items():
            earlier = results[first]
            if isinstance(earlier, Received):
                results[index] = _again(earlier)
            else:  # the first one was refused: this one stands on its own
                results[index] = _one(inbox, batch[index], historic, seen)
    return [r if r is not None else ActionError("The message was not processed.")
            for r in results]


class _Seen:
    """Messages received before, by source_id: the batch's one query, then what it stores."""

    def __init__(self, known: dict[str, Received]) -> None:
        self.known = known

    def __call__(self, _inbox: Inbox, source_id: str) -> Received | None:
        return self.known.get(source_id)

    def add(self, received: Received) -> None:
        if received.message.source_id:
            self.known[received.message.source_id] = _again(received)


def _again(received: Received) -> Received:
    return Received(conversation=received.conversation, message=received.message, created=False)


def _one(inbox: Inbox, inbound: InboundMessage, historic: bool, seen: _Seen) -> Result:
    try:
        received = _receive_one(inbox, inbound, historic, seen)
    except ActionError as exc:
        return exc
    seen.add(received)
    return received


def _existing_many(inbox: Inbox, batch: Sequence[InboundMessage]) -> dict[str, Received]:
    """The batch's messages received before, by source_id (one query)."""
    source_ids = {s for s in ((m.source_id or "").strip() for m in batch) if s}
    if not source_ids:
        return {}
    messages = Message.objects.select_related("conversation").filter(
        inbox=inbox, source_id__in=source_ids
    )
    return {
        m.source_id: Received(conversation=m.conversation, message=m, created=False)
        for m in messages
        if m.source_id
    }


def _repeats(batch: Sequence[InboundMessage]) -> dict[int, int]:
    """Items whose source_id an earlier item of the batch carries: index -> that item's."""
    first: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for index, inbound in enumerate(batch):
        source_id = (inbound.source_id or "").strip()
        if not source_id:
            continue
        if source_id in first:
            repeats[index] = first[source_id]
        else:
            first[source_id] = index
    return repeats


@dataclass
class _Plan:
    bulk: set[int] = field(default_factory=set)
    identities: dict[str, ContactIdentity] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)  # by identity id


def _sender(inbound: InboundMessage) -> str:
    return inbound.sender_id.strip()[:255]


def _plain(inbound: InboundMessage) -> bool:
    return not (inbound.attachments or inbound.html or inbound.conversation_id is not None
                or inbound.new_conversation or inbound.created_at is not None)


def _plan(inbox: Inbox, batch: Sequence[InboundMessage], historic: bool,
          skip: set[int]) -> _Plan:
    """Which items go in bulk: plain messages of known shoppers with an open conversation."""
    plan = _Plan()
    if historic:
        return plan
    by_sender: dict[str, list[int]] = defaultdict(list)
    for index, inbound in enumerate(batch):
        if index not in skip and _sender(inbound):
            by_sender[_sender(inbound)].append(index)
    senders = {s for s, indexes in by_sender.items()
               if all(_plain(batch[i]) for i in indexes)}
    if not senders:
        return plan
    # Locked as receive_message locks them, in one order in every transaction.
    plan.identities = {
        identity.source_id: identity
        for identity in ContactIdentity.objects.select_for_update()
        .filter(inbox=inbox, source_id__in=senders).order_by("source_id")
    }
    latest: dict[int, Conversation] = {}
    for candidate in Conversation.objects.filter(
        identity_id__in=[i.pk for i in plan.identities.values()], status__in=REOPENABLE
    ).order_by("-pk"):
        latest.setdefault(candidate.identity_id, candidate)
    for sender, identity in plan.identities.items():
        found = latest.get(identity.pk)
        if found is None or found.status != Status.OPEN:
            continue  # opened or reopened by receive_message's own path
        plan.conversations[identity.pk] = found
        plan.bulk.update(by_sender[sender])
    return plan


@dataclass
class _Row:
    index: int
    inbound: InboundMessage
    source_id: str | None
    identity: ContactIdentity
    conversation: Conversation


def _write_bulk(inbox: Inbox, batch: Sequence[InboundMessage], plan: _Plan,
                seen: _Seen) -> dict[int, Result]:
    results: dict[int, Result] = {}
    rows: list[_Row] = []
    for index in sorted(plan.bulk):
        inbound = batch[index]
        try:
            source_id, existing = check_inbound(inbox, inbound, seen)
        except ActionError as exc:
            results[index] = exc
            continue
        if existing is not None:
            results[index] = existing
            continue
        identity = plan.identities[_sender(inbound)]
        rows.append(_Row(index, inbound, source_id, identity,
                         plan.conversations[identity.pk]))
    if not rows:
        return results
    try:
        with transaction.atomic():
            written = _insert(inbox, rows)
    except IntegrityError:
        # A concurrent transaction stored one of these message ids first: one by one, the
        # single path finds its message.
        for row in rows:
            results[row.index] = _one(inbox, row.inbound, False, seen)
        return results
    for row, received in zip(rows, written, strict=True):
        seen.add(received)
        results[row.index] = received
    # The same message.created events as one by one, in order, sent together after commit.
    publish_many_on_commit(inbox.account_id, [message_created(r) for r in written])
    return results


def _insert(inbox: Inbox, rows: list[_Row]) -> list[Received]:
    now = timezone.now()
    messages = Message.objects.bulk_create([
        Message(
            account_id=inbox.account_id,
            conversation=row.conversation,
            inbox=inbox,
            direction=Direction.INCOMING,
            sender_type=SenderType.CONTACT,
            sender_contact_id=row.identity.contact_id,
            text=row.inbound.text,
            search_text=fold(row.inbound.text),
            html=None,
            source_id=row.source_id,
            delivery_status=DeliveryStatus.RECEIVED,
            metadata=row.inbound.metadata,
            created_at=now,
        )
        for row in rows
    ])
    counts: dict[int, int] = defaultdict(int)
    conversations: dict[int, Conversation] = {}
    for row in rows:
        counts[row.conversation.pk] += 1
        conversations[row.conversation.pk] = row.conversation
    _update_conversations(conversations, counts, now)
    record_many(
        EventKind.MESSAGE_RECEIVED, CONTACT, account_id=inbox.account_id,
        items=[(row.conversation.pk, {"message_id": m.pk})
               for row, m in zip(rows, messages, strict=True)],
    )
    return [Received(conversation=row.conversation, message=m, created=True)
            for row, m in zip(rows, messages, strict=True)]


def _update_conversations(conversations: dict[int, Conversation], counts: dict[int, int],
                          now: datetime) -> None:
    """What receive_message saves on the conversation, for each at once: the times move
    forward only, waiting_since is set if unset, message_count grows in SQL."""
    table = Conversation._meta.db_table
    at = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"UPDATE {table} SET "  # noqa: S608 - the table name is ours
        "last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < %s "
        "THEN %s ELSE last_message_at END, "
        "last_incoming_at = CASE WHEN last_incoming_at IS NULL OR last_incoming_at < %s "
        "THEN %s ELSE last_incoming_at END, "
        "waiting_since = COALESCE(waiting_since, %s), "
        "message_count = message_count + %s, updated_at = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(at, at, at, at, at, counts[pk], at, pk) for pk in conversations])
    for pk, conversation in conversations.items():
        conversation.last_message_at = _latest(conversation.last_message_at, now)
        conversation.last_incoming_at = _latest(conversation.last_incoming_at, now)
        if conversation.waiting_since is None:
            conversation.waiting_since = now
        conversation.message_count += counts[pk]
        conversation.updated_at = now

