"""Queue tasks of the connectors. Tasks take ids and may run twice without harm."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.connectors import inbound


@db_task()
def process_inbound_event(event_id: int) -> str:
    return inbound.process(event_id)


@db_periodic_task(crontab(minute="*"))
def sweep_inbound_events() -> int:
    """Pick up events whose task was lost or whose worker died (claiming is atomic)."""
    ids = inbound.lost_event_ids()
    for event_id in ids:
        process_inbound_event(event_id)
    return len(ids)
