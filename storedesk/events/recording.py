"""`record()`: write an event row inside the caller's transaction; dispatch it after commit.

Cost on hot paths (ingest): one INSERT per event. A kind nobody subscribes to is written already
dispatched and never touches the queue; the others are batched per transaction into a single
`dispatch_events` task enqueued after commit (none if the transaction rolls back).

History (`historic=True`, and `record_past` for many rows at once): an event that happened
before it reached Storedesk (a conversation imported from another helpdesk, a batch of old
messages) is stamped with its original time and written already dispatched, so no subscriber
ever runs for it: the assistant does not answer a years-old message, rules and SLAs do not
route it, store webhooks do not fire. The sweeper only looks at undispatched rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.core import bulk
from storedesk.core.models import stamped
from storedesk.events.kinds import EventKind
from storedesk.events.models import Event
from storedesk.events.subscribers import handlers_for


def record(
    kind: EventKind,
    actor: Actor,
    *,
    account_id: int,
    conversation_id: int | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
    historic: bool = False,
) -> Event:
    """Write one event. Call it from an action, inside the action's transaction.

    The actor's `cause_event_id` becomes the event's `cause`. `at` is when it happened (default
    now); `historic=True` writes it already dispatched: no subscriber runs (see above).
    """
    kind = EventKind(kind)  # a typo'd kind fails here, not silently in a subscriber table
    subscribed = bool(handlers_for(kind)) and not historic
    event = Event.objects.create(
        account_id=account_id,
        kind=kind.value,
        actor_type=actor.type,
        actor_agent_id=actor.agent_id,
        cause_id=actor.cause_event_id,
        conversation_id=conversation_id,
        data=data or {},
        dispatched_at=None if subscribed else timezone.now(),
        **stamped(at),
    )
    if subscribed:
        _batch_for_this_transaction().append(event.pk)
    return event


def record_many(
    kind: EventKind,
    actor: Actor,
    *,
    account_id: int,
    items: Sequence[tuple[int | None, dict[str, Any]]],
) -> list[Event]:
    """`record()` for many events of one kind and actor, now, in one INSERT: the same rows and
    the same dispatch as that many `record()` calls. `items`: (conversation_id, data) each."""
    if not connection.in_atomic_block:  # one dispatch for all of them, after they commit
        with transaction.atomic():
            return record_many(kind, actor, account_id=account_id, items=items)
    kind = EventKind(kind)
    subscribed = bool(handlers_for(kind))
    dispatched_at = None if subscribed else timezone.now()
    events = Event.objects.bulk_create([
        Event(
            account_id=account_id,
            kind=kind.value,
            actor_type=actor.type,
            actor_agent_id=actor.agent_id,
            cause_id=actor.cause_event_id,
            conversation_id=conversation_id,
            data=data or {},
            dispatched_at=dispatched_at,
        )
        for conversation_id, data in items
    ])
    if subscribed:
        for event in events:
            _batch_for_this_transaction().append(event.pk)
    return events


@dataclass(frozen=True)
class PastEvent:
    """One event of imported history, for `record_past`."""

    kind: EventKind
    at: datetime
    conversation_id: int | None = None
    actor_type: str = "system"
    actor_agent_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def record_past(account_id: int, events: Sequence[PastEvent]) -> int:
    """Write many events that happened before they reached Storedesk, in one bulk insert,
    already dispatched (no subscriber ever runs for them). Returns how many were written."""
    now = timezone.now()
    rows = [
        {
            "account_id": account_id,
            "kind": EventKind(e.kind).value,
            "actor_type": e.actor_type,
            "actor_agent_id": e.actor_agent_id,
            "conversation_id": e.conversation_id,
            "data": e.data,
            "created_at": e.at,
            "dispatched_at": now,
        }
        for e in events
    ]
    bulk.insert_rows(Event, rows)
    return len(rows)


class _Batch:
    """The subscribed events written in one transaction, dispatched together after commit."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def append(self, event_id: int) -> None:
        self.ids.append(event_id)
        if len(self.ids) == 1:
            # Registered after the first id is in: outside a transaction on_commit runs at once.
            transaction.on_commit(self.dispatch, robust=True)

    def dispatch(self) -> None:
        from storedesk.events.tasks import dispatch_events

        dispatch_events(list(self.ids))


def _batch_for_this_transaction() -> _Batch:
    """This transaction's batch; a new one when the previous committed or rolled back."""
    batch: _Batch | None = getattr(connection, "_storedesk_event_batch", None)
    if batch is not None and batch.ids and connection.in_atomic_block and any(
        entry[1] == batch.dispatch for entry in connection.run_on_commit
    ):
        return batch
    batch = _Batch()
    connection._storedesk_event_batch = batch  # type: ignore[attr-defined]
    return batch
