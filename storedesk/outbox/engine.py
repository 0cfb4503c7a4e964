"""The outbox mechanism: claim a row with a lease, settle the attempt, back off, find due rows.

Every function takes the concrete model (`inbox.Delivery`, `webhooks.WebhookDelivery`) and
touches only the `OutboxRow` fields, so the owning app's own columns stay its own.

- `claim` is one conditional UPDATE: of any number of concurrent claimants exactly one wins,
  and the lease it sets is the attempt's fencing token.
- The lease is always longer than an attempt can run: `lease_seconds()` is the attempt deadline
  (which `core.deadline` enforces on every outbound call) plus a margin. So a lease never runs
  out while its attempt may still be sending, and the sweeper never starts a second send of a
  row whose first attempt is alive.
- `settle` writes the outcome only while the row still carries the caller's lease: a worker
  that was slower than its lease finds another lease there and its report is dropped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from storedesk.outbox.models import OutboundStatus, OutboxRow

BACKOFF_CAP_SECONDS = 3600
ERROR_LIMIT = 2000

Row = TypeVar("Row", bound=OutboxRow)


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. `error=None` means the receiver accepted it."""

    error: str | None = None
    permanent: bool = False
    # What the receiver called it (a provider message id), for the owner's records.
    reference: str = ""
    # Anything else the owner wants to keep about this attempt (status code, duration ...).
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Settled(Generic[Row]):
    """The row after `settle`; `row` is None when the outcome was not ours to write."""

    status: str
    row: Row | None


def attempt_deadline() -> float:
    """Seconds one attempt may take, end to end (connect, send, answer)."""
    return float(settings.OUTBOX_ATTEMPT_DEADLINE_SECONDS)


def lease_seconds() -> float:
    """How long a claim holds a row: the attempt deadline plus a margin, never less."""
    return attempt_deadline() + max(0.0, float(settings.OUTBOX_LEASE_MARGIN_SECONDS))


def backoff(attempt: int) -> timedelta:
    """10 s, 40 s, 2.5 min, 10 min ... capped at one hour, with up to 10 % jitter.

    The base comes from settings.DELIVERY_BACKOFF_SECONDS (default 10) so tests and impatient
    deployments can shrink it. Jitter spreads retries after an outage across workers.
    """
    base = float(settings.DELIVERY_BACKOFF_SECONDS)
    seconds = min(BACKOFF_CAP_SECONDS, base * 4 ** max(0, attempt - 1))
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))  # noqa: S311 - jitter


def due(now: datetime) -> Q:
    """Rows to send now: queued and due, or `sending` whose lease has run out."""
    return Q(status=OutboundStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboundStatus.SENDING, lease_until__lt=now
    )


def is_due(row: OutboxRow, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if row.status == OutboundStatus.QUEUED:
        return row.next_attempt_at <= now
    return row.status == OutboundStatus.SENDING and (
        row.lease_until is None or row.lease_until < now
    )


def claim(model: type[OutboxRow], row_id: int) -> datetime | None:
    """Take the row for this worker; returns the lease (the fencing token) or None.

    None when the row is not due or another worker holds an unexpired lease.
    """
    now = timezone.now()
    lease = now + timedelta(seconds=lease_seconds())
    claimed = model._default_manager.filter(due(now), pk=row_id).update(
        status=OutboundStatus.SENDING, lease_until=lease, attempts=F("attempts") + 1, updated_at=now
    )
    return lease if claimed == 1 else None


def defer(model: type[OutboxRow], row_id: int, seconds: float) -> datetime | None:
    """Push a due row back by `seconds` without counting an attempt (its destination is busy).

    Returns the new due time, or None when the row was not due (someone else has it).
    """
    now = timezone.now()
    later = now + timedelta(seconds=seconds * (1 + random.uniform(0, 0.5)))  # noqa: S311
    moved = model._default_manager.filter(due(now), pk=row_id).update(
        status=OutboundStatus.QUEUED, next_attempt_at=later, lease_until=None, updated_at=now
    )
    return later if moved == 1 else None


def settle(model: type[Row], row_id: int, lease: datetime, outcome: Outcome) -> Settled[Row]:
    """Write the outcome of one attempt, if this worker still holds the row.

    Call inside a transaction: the row is locked, so the owning app's own writes (the message
    status, an attempt row) commit together with it.
    """
    row = model._default_manager.select_for_update().get(pk=row_id)
    if row.status != OutboundStatus.SENDING:
        return Settled(str(row.status), None)  # someone else finished it; keep their outcome
    if row.lease_until != lease:
        return Settled("superseded", None)
    now = timezone.now()
    if outcome.error is None:
        row.status = OutboundStatus.SENT
        row.sent_at = now
        row.last_error = ""
    elif outcome.permanent or row.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        row.status = OutboundStatus.FAILED
        row.last_error = outcome.error[:ERROR_LIMIT]
    else:
        row.status = OutboundStatus.QUEUED
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = outcome.error[:ERROR_LIMIT]
    row.lease_until = None
    row.save(
        update_fields=[
            "status", "sent_at", "last_error", "next_attempt_at", "lease_until", "updated_at"
        ]
    )
    return Settled(str(row.status), row)


def requeue(model: type[OutboxRow], row_id: int) -> bool:
    """Make a finished (sent or failed) row due again, with a fresh attempt count (redeliver)."""
    now = timezone.now()
    return (
        model._default_manager.filter(
            pk=row_id, status__in=[OutboundStatus.SENT, OutboundStatus.FAILED]
        ).update(
            status=OutboundStatus.QUEUED,
            next_attempt_at=now,
            attempts=0,
            last_error="",
            lease_until=None,
            updated_at=now,
        )
        == 1
    )


def due_ids(model: type[OutboxRow], limit: int = 500) -> list[int]:
    """Rows that should be sent now, oldest due first."""
    return list(
        model._default_manager.filter(due(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
