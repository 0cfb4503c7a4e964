"""One attempt at one outbox row: share check, claim, send under a deadline, settle.

    run("webhook", 42)  ->  "sent" | "queued" (retry later) | "failed" | "deferred" | "skipped"

The order keeps the at-least-once window small: the row is claimed just before the network
call and settled right after it, in one short transaction; nothing else happens in between.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from storedesk.core.deadline import deadline
from storedesk.outbox import engine, fairness
from storedesk.outbox.handlers import handler_for
from storedesk.outbox.models import OutboundStatus

logger = logging.getLogger(__name__)


def run(kind: str, row_id: int) -> str:
    handler = handler_for(kind)
    row = handler.load(row_id)
    if row is None:
        return "gone"
    if not engine.is_due(row):
        return "skipped"  # a duplicate task, or not due yet: the row's own schedule will come
    with fairness.slots(handler.shares(row), ttl=engine.lease_seconds()) as granted:
        if not granted:
            later = engine.defer(handler.model, row_id, float(settings.OUTBOX_DEFER_SECONDS))
            if later is not None:
                _schedule(kind, row_id, later)
                return "deferred"
            return "skipped"
        lease = engine.claim(handler.model, row_id)
        if lease is None:
            return "skipped"
        # What the claim wrote, without reading the row again.
        row.status, row.lease_until, row.attempts = OutboundStatus.SENDING, lease, row.attempts + 1
        with deadline(engine.attempt_deadline()):
            try:
                outcome = handler.attempt(row)
            except Exception as exc:  # a bug or an unexpected library error: retry, say what
                logger.exception("outbox %s %s: the attempt crashed", kind, row_id)
                outcome = engine.Outcome(error=f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        settled = engine.settle(handler.model, row_id, lease, outcome)
        if settled.row is None:
            if settled.status == "superseded":
                logger.warning("outbox %s %s: lease lost; outcome dropped", kind, row_id)
            return settled.status
        handler.record(settled.row, outcome)
        if settled.status == OutboundStatus.QUEUED:
            due_at = settled.row.next_attempt_at
            transaction.on_commit(lambda: _schedule(kind, row_id, due_at), robust=True)
    return settled.status


def _schedule(kind: str, row_id: int, eta: object) -> None:
    from storedesk.outbox.tasks import deliver

    deliver.schedule((kind, row_id), eta=eta)
