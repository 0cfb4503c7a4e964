"""Queue tasks of the outbox. They take (kind, row id) and may run twice without harm."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.outbox import engine, runner
from storedesk.outbox.handlers import handler_for, kinds


@db_task()
def deliver(kind: str, row_id: int) -> str:
    """Attempt one row. Safe to run twice: only the worker that claims the row sends."""
    return runner.run(kind, row_id)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Enqueue every due row of every kind: lost tasks, dead workers, deferred rows.

    Every consumer with periodic tasks runs this each minute, so at scale several sweeps may
    enqueue the same id; that is harmless because claiming a row is one atomic UPDATE. (No Huey
    lock here on purpose: a worker killed while holding one would stop all sweeps for good.)
    """
    count = 0
    for kind in kinds():
        for row_id in engine.due_ids(handler_for(kind).model):
            deliver(kind, row_id)
            count += 1
    return count
