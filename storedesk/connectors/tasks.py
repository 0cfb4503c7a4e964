"""Queue tasks of the connectors. Tasks take ids and may run twice without harm."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.connectors import drain


@db_task()
def drain_inbound_events() -> int:
    """Apply stored provider events in batches until none is open (connectors/drain.py)."""
    return drain.drain().events


@db_task()
def process_inbound_event(event_id: int) -> str:
    """One event now (kept for tasks queued before the batch drain existed)."""
    return drain.process_one(event_id)


@db_periodic_task(crontab(minute="*"))
def sweep_inbound_events() -> bool:
    """Drain what a lost kick or a dead worker left behind (claiming is atomic, so a drain
    running at the same time takes other rows)."""
    return drain.kick(force=True)
