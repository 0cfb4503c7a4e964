"""`record()`: write an event row inside the caller's transaction; dispatch it after commit.

Cost on hot paths (ingest): one INSERT per event. A kind nobody subscribes to is written already
dispatched and never touches the queue; the others are batched per transaction into a single
`dispatch_events` task enqueued after commit (none if the transaction rolls back).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from storedesk.accounts.actor import Actor
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
) -> Event:
    """Write one event. Call it from an action, inside the action's transaction.

    The actor's `cause_event_id` becomes the event's `cause`.
    """
    kind = EventKind(kind)  # a typo'd kind fails here, not silently in a subscriber table
    subscribed = bool(handlers_for(kind))
    event = Event.objects.create(
        account_id=account_id,
        kind=kind.value,
        actor_type=actor.type,
        actor_agent_id=actor.agent_id,
        cause_id=actor.cause_event_id,
        conversation_id=conversation_id,
        data=data or {},
        dispatched_at=None if subscribed else timezone.now(),
    )
    if subscribed:
        _batch_for_this_transaction().append(event.pk)
    return event


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
