"""Domain events: `record()` writes one in the action's transaction; see docs/architecture.md."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from storedesk.events.kinds import EventKind

if TYPE_CHECKING:
    from storedesk.accounts.actor import Actor
    from storedesk.events.models import Event

__all__ = ["EventKind", "record", "record_many"]


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
    """Write one event row inside the caller's transaction (see `events.recording.record`)."""
    from storedesk.events.recording import record as _record

    return _record(
        kind, actor, account_id=account_id, conversation_id=conversation_id, data=data,
        at=at, historic=historic,
    )


def record_many(
    kind: EventKind,
    actor: Actor,
    *,
    account_id: int,
    items: list[tuple[int | None, dict[str, Any]]],
) -> list[Event]:
    """Many events of one kind and actor in one INSERT (see `events.recording.record_many`)."""
    from storedesk.events.recording import record_many as _record_many

    return _record_many(kind, actor, account_id=account_id, items=items)
