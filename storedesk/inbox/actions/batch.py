"""receive_messages: many inbound messages of one inbox in one transaction, one result per item.

The result of each item is what `receive_message` would have given (the same rows, the same
domain events and realtime pushes, the same errors), but the common case is written in bulk:

- the messages received before (by source_id) are found in one query for the whole batch;
- a message with nothing but text (no attachments, HTML, conversation hint, original time;
  not historic) from a shopper who is new, or known with an open conversation, or known with
  no conversation to reopen, is written with the others of its kind: the known shoppers'
  identities locked in one query (in source_id order, the same order in every transaction),
  their conversations read in one; for the new shoppers their contacts (found by email, then
  phone, in one query each, the others inserted in one statement) and identities (one);
  for those without a conversation, the display ids (one), the conversations (one) and their
  `conversation.opened` events (one); then the messages inserted in one statement (ids by
  RETURNING), the conversations' counters and times updated with one parametrised statement
  run for each, the `message.received` events inserted in one, and the realtime events sent
  in one go after commit;
- every other message (a conversation to reopen, attachments, new shoppers of the batch who
  give the same email or phone...) goes through `receive_message`'s own path, in order,
  before the bulk part. A shopper with any such message in the batch has all of theirs go
  that way, so each conversation keeps its order.

If the bulk part collides with a concurrent transaction storing the same message id or
creating the same shopper, its savepoint is rolled back and those items go through the single
path, which finds the winner's rows. An item's `ActionError` is its result; any other error
rolls the whole batch back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from storedesk.accounts.actor import CONTACT
from storedesk.contacts.models import Contact, ContactIdentity
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
    contact_keys,
    message_created,
    new_contact,
    new_conversation,
    next_display_ids,
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
    """Which items go in bulk: the plain messages of shoppers who are new, or known with an
    open conversation or none to reopen (a conversation to reopen: receive_message's path)."""
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
        if found is not None and found.status != Status.OPEN:
            continue  # reopened by receive_message's own path
        if found is not None:
            plan.conversations[identity.pk] = found
        plan.bulk.update(by_sender[sender])  # (without one: opened in bulk)
    new = senders - plan.identities.keys()
    for sender in new - _sharing_contact_keys(batch, {s: by_sender[s] for s in new}):
        plan.bulk.update(by_sender[sender])  # identity, contact, conversation: in bulk
    return plan


def _sharing_contact_keys(batch: Sequence[InboundMessage],
                          senders: dict[str, list[int]]) -> set[str]:
    """New senders whose email or phone another new sender of the batch also gives: one by
    one, the second joins the contact the first creates; receive_message's path does that."""
    claimed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sender, indexes in senders.items():
        for index in indexes:
            email, phone = contact_keys(batch[index])
            if email:
                claimed[("email", email)].add(sender)
            if phone:
                claimed[("phone", phone)].add(sender)
    return {sender for owners in claimed.values() if len(owners) > 1 for sender in owners}


@dataclass
class _Row:
    index: int
    inbound: InboundMessage
    source_id: str | None
    sender: str
    identity: ContactIdentity | None  # None: a new shopper
    conversation: Conversation | None  # None: opened in bulk


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
        sender = _sender(inbound)
        identity = plan.identities.get(sender)
        conversation = plan.conversations.get(identity.pk) if identity is not None else None
        rows.append(_Row(index, inbound, source_id, sender, identity, conversation))
    if not rows:
        return results
    now = timezone.now()
    try:
        with transaction.atomic():
            _open_conversations(inbox, rows, now)
            written = _insert(inbox, rows, now)
    except IntegrityError:
        # A concurrent transaction stored one of these message ids, or created one of these
        # shoppers, first: one by one, the single path finds what it stored.
        for row in rows:
            results[row.index] = _one(inbox, row.inbound, False, seen)
        return results
    for row, received in zip(rows, written, strict=True):
        seen.add(received)
        results[row.index] = received
    # The same message.created events as one by one, in order, sent together after commit.
    publish_many_on_commit(inbox.account_id, [message_created(r) for r in written])
    return results


def _open_conversations(inbox: Inbox, rows: list[_Row], now: datetime) -> None:
    """What receive_message does for a shopper's first message when there is no conversation
    to join, for all of them at once: the new shoppers' contacts (a known one when the email,
    then the phone, matches) and identities, then a conversation each with its display id and
    its `conversation.opened` event. Each from the shopper's first message in the batch."""
    first: dict[str, _Row] = {}
    for row in rows:
        if row.conversation is None:
            first.setdefault(row.sender, row)
    if not first:
        return
    identities = {s: r.identity for s, r in first.items() if r.identity is not None}
    new = sorted(s for s in first if s not in identities)
    if new:
        contact_ids = _contacts_for(inbox.account_id, [first[s].inbound for s in new])
        created = ContactIdentity.objects.bulk_create([
            ContactIdentity(account_id=inbox.account_id, inbox=inbox, contact_id=contact_id,
                            source_id=sender)
            for sender, contact_id in zip(new, contact_ids, strict=True)
        ])
        identities.update(zip(new, created, strict=True))
    senders = sorted(first)
    display_ids = next_display_ids(inbox.account_id, len(senders))
    conversations = dict(zip(senders, Conversation.objects.bulk_create([
        new_conversation(inbox, identities[sender], first[sender].inbound, now, display_id)
        for sender, display_id in zip(senders, display_ids, strict=True)
    ]), strict=True))
    record_many(EventKind.CONVERSATION_OPENED, CONTACT, account_id=inbox.account_id,
                items=[(conversations[s].pk, {}) for s in senders])
    for row in rows:
        if row.conversation is None:
            row.identity = identities[row.sender]
            row.conversation = conversations[row.sender]


def _contacts_for(account_id: int, inbounds: list[InboundMessage]) -> list[int]:
    """The contact of each new shopper (no two share an email or a phone, see _plan): the
    oldest unmerged contact with that email, else with that phone, else a new one."""
    keys = [contact_keys(inbound) for inbound in inbounds]
    contacts = Contact.objects.filter(account_id=account_id, merged_into__isnull=True)
    found: list[int | None] = [None] * len(keys)
    emails = {email for email, _ in keys if email}
    if emails:
        by_email: dict[str, int] = {}
        for pk, email in contacts.filter(email__in=emails).order_by("pk").values_list(
                "pk", "email"):
            by_email.setdefault(email, pk)
        found = [by_email.get(email) if email else None for email, _ in keys]
    phones = {phone for (_, phone), pk in zip(keys, found, strict=True) if pk is None and phone}
    if phones:
        by_phone: dict[str, int] = {}
        for pk, phone in contacts.filter(phone__in=phones).order_by("pk").values_list(
                "pk", "phone"):
            by_phone.setdefault(phone, pk)
        found = [pk if pk is not None or not phone else by_phone.get(phone)
                 for (_, phone), pk in zip(keys, found, strict=True)]
    # New contacts in one order in every transaction (their email is unique per account).
    missing = sorted((i for i, pk in enumerate(found) if pk is None), key=lambda i: keys[i])
    created = Contact.objects.bulk_create([new_contact(account_id, inbounds[i])
                                           for i in missing])
    for i, contact in zip(missing, created, strict=True):
        found[i] = contact.pk
    return [pk for pk in found if pk is not None]


def _insert(inbox: Inbox, rows: list[_Row], now: datetime) -> list[Received]:
    messages = Message.objects.bulk_create([
        Message(
            account_id=inbox.account_id,
            conversation=row.conversation,
            inbox=inbox,
            direction=Direction.INCOMING,
            sender_type=SenderType.CONTACT,
            sender_contact_id=row.identity.contact_id,  # type: ignore[union-attr]
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
        assert row.conversation is not None
        counts[row.conversation.pk] += 1
        conversations[row.conversation.pk] = row.conversation
    _update_conversations(conversations, counts, now)
    record_many(
        EventKind.MESSAGE_RECEIVED, CONTACT, account_id=inbox.account_id,
        items=[(row.conversation.pk, {"message_id": m.pk})  # type: ignore[union-attr]
               for row, m in zip(rows, messages, strict=True)],
    )
    return [Received(conversation=row.conversation, message=m,  # type: ignore[arg-type]
                     created=True)
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

