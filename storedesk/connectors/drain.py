"""The worker side of provider webhooks: drain stored `InboundEvent` rows in batches.

A storm (a provider replaying its backlog after an outage) is accepted at the speed of one
INSERT per event (connectors/inbound.py) and drained here, many events per transaction:

1. **Kick.** The accept path calls `kick()` after its INSERT committed. It enqueues one
   `drain_inbound_events` task unless one is already waiting (a flag in the queue's own storage,
   so it holds across processes on SQLite and Redis alike): a storm of N events costs a handful
   of enqueues, not N. A drain clears the flag before it looks for work, so an event committed
   after that look always kicks a new drain; the minute sweep covers a lost kick.
2. **Claim.** `claim()` takes up to ``INBOUND_BATCH_SIZE`` open rows in one short transaction
   (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent drains take disjoint
   batches; SQLite serialises writers) and marks them ``processing`` with a lease and one more
   attempt. Open rows are pending ones and processing ones whose lease ran out (a killed worker's
   batch).
3. **Apply.** `apply_batch()` re-locks the rows it still holds (same lease), parses each event
   with its connector, writes the messages through ``inbox.actions.receive_messages`` (one call
   per inbox, the batch API's write path) and the receipts through ``record_receipt``, and marks
   the events done, all in one transaction. A killed worker commits nothing: its batch is
   claimed again after the lease, and the messages' idempotency key ``(inbox, source_id)``
   keeps anything from being stored twice. A bad event (unparseable, refused by the action, an
   unknown type) is marked failed with its error and the rest of the batch goes in; should the
   batch transaction fail as a whole, its events are applied one by one so only the bad one fails.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY

from storedesk.connectors.base import Receipt
from storedesk.connectors.models import InboundEvent, InboundStatus
from storedesk.connectors.registry import connector_for
from storedesk.core.errors import ActionError
from storedesk.inbox.actions import InboundMessage, receive_messages, record_receipt
from storedesk.inbox.actions.inbound import BATCH_MAX
from storedesk.inbox.models import Direction, Inbox, Message

logger = logging.getLogger(__name__)

KICK_KEY = "storedesk:inbound-drain-kicked"
MAX_ERROR_CHARS = 4000
# A worker that died this many times on the same event (a poison event) gives up on it.
MAX_ATTEMPTS = 5
# One drain task works this long, then hands over to a fresh task (other tasks get a turn).
DRAIN_SECONDS = 20.0


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.INBOUND_LEASE_SECONDS)


def batch_size() -> int:
    return max(1, min(settings.INBOUND_BATCH_SIZE, BATCH_MAX))


# --- kick -------------------------------------------------------------------------------------


def kick(*, force: bool = False) -> bool:
    """Make sure a drain task is queued; True when this call enqueued one."""
    from storedesk.connectors.tasks import drain_inbound_events

    storage = HUEY.storage
    if not force:
        # A read first: under a storm the flag is nearly always set, and a read is cheaper
        # than a failed conditional write (SQLite takes its write lock for one).
        if storage.peek_data(KICK_KEY) is not EmptyData:
            return False
        if not storage.put_if_empty(KICK_KEY, b"1"):
            return False
    try:
        drain_inbound_events()
    except Exception:
        # The queue is away: forget the flag so the next event tries again (the rows are
        # stored; the minute sweep drains them too).
        storage.delete_data(KICK_KEY)
        raise
    return True


def clear_kick() -> None:
    HUEY.storage.delete_data(KICK_KEY)


def kick_on_commit() -> None:
    def _kick() -> None:
        try:
            kick()
        except Exception:  # the event is stored; the sweep drains it
            logger.exception("could not queue the inbound drain")

    transaction.on_commit(_kick)


# --- claim ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    ids: list[int]
    lease_until: datetime


def _open_rows(now: datetime) -> Q:
    return Q(status=InboundStatus.PENDING) | Q(status=InboundStatus.PROCESSING,
                                               lease_until__lt=now)


def claim(limit: int | None = None, *, ids: list[int] | None = None) -> Claim:
    """Take up to `limit` open events (or exactly the open ones among `ids`) for this worker."""
    now = timezone.now()
    lease = now + lease_duration()
    rows = InboundEvent.objects.filter(
        _open_rows(now), status__in=[InboundStatus.PENDING, InboundStatus.PROCESSING]
    )
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    with transaction.atomic():
        taken = list(
            rows.order_by("pk").select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: limit or batch_size()]
        )
        if taken:
            InboundEvent.objects.filter(pk__in=taken).update(
                status=InboundStatus.PROCESSING, lease_until=lease,
                attempts=F("attempts") + 1, updated_at=now,
            )
    return Claim(taken, lease)


# --- apply ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    messages: int = 0


def _describe(exc: BaseException) -> str:
    detail = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
    return str(detail)[:MAX_ERROR_CHARS]


def _held(batch: Claim) -> list[InboundEvent]:
    """The batch's rows this worker still holds, locked until the apply commits."""
    return list(
        InboundEvent.objects.filter(pk__in=batch.ids, status=InboundStatus.PROCESSING,
                                    lease_until=batch.lease_until)
        .select_for_update().order_by("pk")
    )


def _apply_receipt(inbox: Inbox, receipt: Receipt) -> None:
    if not receipt.provider_message_id:
        return
    message = Message.objects.filter(
        inbox=inbox, direction=Direction.OUTGOING,
        delivery__provider_message_id=receipt.provider_message_id,
    ).first()
    if message is not None:  # a receipt for a message we never sent is ignored
        record_receipt(message, receipt.status, error=receipt.error, at=receipt.at)


def _apply_store_event(event: InboundEvent) -> None:
    from storedesk.commerce.platforms import platform_for
    from storedesk.commerce.platforms.base import WebhookEvent

    assert event.store is not None
    payload = json.loads(bytes(event.body))
    platform_for(event.store).apply_webhook(WebhookEvent(
        event_id=event.event_id, topic=str(event.headers.get("topic", "")), payload=payload))


def _apply(events: list[InboundEvent], outcome: Outcome) -> None:
    """Apply the events inside the caller's transaction; record each one's outcome.

    Parsing writes nothing (a connector's `parse` only reads the stored body), so a message
    event costs no savepoint: its messages wait for the one `receive_messages` call per inbox.
    Only what writes on its own (receipts, store events) runs in a savepoint of its event, so a
    bad one is rolled back alone."""
    inboxes = Inbox.objects.in_bulk({e.inbox_id for e in events if e.inbox_id is not None})
    # Messages per inbox, in event order, each remembering its event.
    pending: dict[int, list[tuple[int, InboundMessage]]] = {}
    for event in events:
        if event.attempts > MAX_ATTEMPTS:
            outcome.failed[event.pk] = (
                f"Gave up after {MAX_ATTEMPTS} attempts: a worker stopped while processing it.")
            continue
        try:
            if event.inbox_id is None:
                if event.store_id is None:
                    raise ActionError(f"No handler for {event.provider} events on "
                                      f"{event.scope}.")
                with transaction.atomic():
                    _apply_store_event(event)
                outcome.done.append(event.pk)
                continue
            inbox = inboxes.get(event.inbox_id)
            connector = connector_for(event.provider)
            if inbox is None or connector is None or connector.webhook is None:
                raise ActionError(f"No handler for {event.provider} events on {event.scope}.")
            items = connector.webhook.parse(inbox, event.headers, bytes(event.body))
            receipts = [item for item in items if isinstance(item, Receipt)]
            if receipts:
                with transaction.atomic():
                    for receipt in receipts:
                        _apply_receipt(inbox, receipt)
            for item in items:
                if not isinstance(item, Receipt):
                    pending.setdefault(inbox.pk, []).append((event.pk, item))
        except Exception as exc:  # noqa: BLE001 - a bad event is kept with its error
            outcome.failed[event.pk] = _describe(exc)
            continue
        outcome.done.append(event.pk)
    for inbox_id, entries in pending.items():
        inbox = inboxes[inbox_id]
        for start in range(0, len(entries), BATCH_MAX):
            chunk = entries[start:start + BATCH_MAX]
            results = receive_messages(inbox, [message for _, message in chunk])
            for (event_pk, _), result in zip(chunk, results, strict=True):
                if isinstance(result, ActionError):
                    outcome.failed.setdefault(event_pk, _describe(result))
                elif result.created:
                    outcome.messages += 1
    outcome.done = [pk for pk in outcome.done if pk not in outcome.failed]


def _settle(batch: Claim, outcome: Outcome) -> None:
    now = timezone.now()
    held = InboundEvent.objects.filter(lease_until=batch.lease_until,
                                       status=InboundStatus.PROCESSING)
    if outcome.done:
        held.filter(pk__in=outcome.done).update(
            status=InboundStatus.DONE, processed_at=now, error="", lease_until=None,
            updated_at=now)
    for pk, error in outcome.failed.items():
        held.filter(pk=pk).update(status=InboundStatus.FAILED, error=error, lease_until=None,
                                  updated_at=now)


def apply_batch(batch: Claim) -> Outcome:
    """Apply one claimed batch in one transaction (see the module docstring)."""
    outcome = Outcome()
    if not batch.ids:
        return outcome
    try:
        with transaction.atomic():
            _apply(_held(batch), outcome)
            _settle(batch, outcome)
        return outcome
    except Exception:
        logger.exception("an inbound batch failed as a whole; applying its events one by one")
    outcome = Outcome()
    for pk in batch.ids:
        single = Outcome()
        try:
            with transaction.atomic():
                _apply(_held(Claim([pk], batch.lease_until)), single)
                _settle(batch, single)
        except Exception as exc:  # noqa: BLE001 - this one event is the bad one
            single = Outcome(failed={pk: _describe(exc)})
            _settle(batch, single)
        outcome.done += single.done
        outcome.failed.update(single.failed)
        outcome.messages += single.messages
    return outcome


# --- the loop ---------------------------------------------------------------------------------


@dataclass
class DrainReport:
    batches: int = 0
    events: int = 0
    messages: int = 0
    failed: int = 0
    handed_over: bool = False


def drain(*, seconds: float = DRAIN_SECONDS) -> DrainReport:
    """Claim and apply batches until none is left or `seconds` have passed (then queue a
    fresh drain to go on)."""
    clear_kick()
    report = DrainReport()
    deadline = time.monotonic() + seconds
    while True:
        batch = claim()
        if not batch.ids:
            return report
        outcome = apply_batch(batch)
        report.batches += 1
        report.events += len(batch.ids)
        report.messages += outcome.messages
        report.failed += len(outcome.failed)
        if time.monotonic() >= deadline:
            kick(force=True)
            report.handed_over = True
            return report


def process_one(event_pk: int) -> str:
    """Apply one event now if it is open (the single-event task; safe to run twice)."""
    batch = claim(1, ids=[event_pk])
    if not batch.ids:
        return "skipped"
    outcome = apply_batch(batch)
    return "failed" if outcome.failed else "done"
