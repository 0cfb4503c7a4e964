"""Queue tasks for domain events. Tasks take ids and may run twice without harm."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.events import dispatch


@db_task()
def dispatch_events(event_ids: list[int]) -> int:
    """Fan one committed transaction's events out to one task per (event, subscriber)."""
    return dispatch.dispatch(event_ids, _enqueue_handler)


@db_task(retries=2, retry_delay=10)
def run_handler(event_id: int, handler: str) -> bool:
    """Apply one subscriber to one event (once: a repeat finds its receipt and does nothing)."""
    return dispatch.apply(event_id, handler)


def _enqueue_handler(event_id: int, handler: str) -> None:
    run_handler(event_id, handler)


@db_periodic_task(crontab(minute="*"))
def sweep_events() -> int:
    """Dispatch events whose dispatch was lost (web process died after commit, enqueue lost,
    worker killed mid-handler). Several consumers may sweep at once; receipts keep it harmless."""
    return dispatch.dispatch(dispatch.lost_event_ids(), _enqueue_handler)
