"""Dispatching events to their subscribers, on the worker.

`dispatch(ids)` enqueues one `run_handler(event_id, handler)` task per subscriber that has not
applied the event yet and marks events whose subscribers have all applied. `apply(event_id,
handler)` runs one subscriber in a transaction together with its receipt, so a repeat (retry,
sweep, redelivery after a killed worker) is a no-op. The sweeper calls `dispatch` for rows whose
dispatch was lost.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from storedesk.events.models import Event, EventReceipt
from storedesk.events.subscribers import handlers_for, resolve

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


def dispatch(event_ids: Iterable[int], enqueue: Callable[[int, str], object]) -> int:
    """Enqueue the missing subscriber runs of these events; returns how many were enqueued."""
    events = list(
        Event.objects.filter(pk__in=list(event_ids), dispatched_at__isnull=True)
        .values_list("pk", "kind")
    )
    if not events:
        return 0
    applied: dict[int, set[str]] = defaultdict(set)
    for event_id, handler in EventReceipt.objects.filter(
        event_id__in=[pk for pk, _ in events]
    ).values_list("event_id", "handler"):
        applied[event_id].add(handler)
    done, enqueued = [], 0
    for event_id, kind in events:
        missing = [h for h in handlers_for(kind) if h not in applied[event_id]]
        if not missing:
            done.append(event_id)
        for handler in missing:
            enqueue(event_id, handler)
            enqueued += 1
    if done:
        Event.objects.filter(pk__in=done, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now()
        )
    return enqueued


def apply(event_id: int, handler: str) -> bool:
    """Run one subscriber on one event, at most once. False when it had already applied."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                EventReceipt.objects.create(event_id=event_id, handler=handler)
        except IntegrityError:
            return False
        resolve(handler)(event_id)
        _mark_if_complete(event_id)
    return True


def _mark_if_complete(event_id: int) -> None:
    kind = Event.objects.filter(pk=event_id).values_list("kind", flat=True).first()
    if kind is None:
        return
    wanted = set(handlers_for(kind))
    applied = set(EventReceipt.objects.filter(event_id=event_id).values_list("handler", flat=True))
    if wanted <= applied:
        Event.objects.filter(pk=event_id, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now()
        )


def lost_event_ids() -> list[int]:
    """Undispatched events older than the grace period (their after-commit dispatch is late or
    lost), each counted as one more dispatch attempt; events past the attempt limit are left
    for an operator (logged)."""
    grace = timedelta(seconds=settings.EVENT_SWEEP_GRACE_SECONDS)
    candidates = Event.objects.filter(
        dispatched_at__isnull=True, created_at__lte=timezone.now() - grace
    )
    ids = list(
        candidates.filter(dispatch_attempts__lt=settings.EVENT_MAX_DISPATCH_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if ids:
        Event.objects.filter(pk__in=ids).update(dispatch_attempts=F("dispatch_attempts") + 1)
    given_up = candidates.filter(
        dispatch_attempts=settings.EVENT_MAX_DISPATCH_ATTEMPTS
    ).values_list("pk", flat=True)[:10]
    for event_id in given_up:
        logger.error("event %s: subscribers still failing after %s sweeps", event_id,
                     settings.EVENT_MAX_DISPATCH_ATTEMPTS)
    return ids
