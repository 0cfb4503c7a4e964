"""The outbox: claim a delivery row, hand it to the connector, record the outcome.

A row is claimed with one conditional UPDATE that also sets a lease. Only the claimant sends.
If the worker dies mid-send the lease runs out and the sweeper lets another worker claim it;
the delivery id is sent along as an idempotency key (webhook header, email Message-ID) so the
receiver drops the repeat.

The lease doubles as a fencing token: a worker that was slower than its lease (and so lost the
row to another worker) finds a different lease on the row when it reports back, and its outcome
is ignored instead of overwriting the newer attempt's.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from storedesk.connectors.base import TransportError
from storedesk.connectors.registry import transport_for
from storedesk.core.oncommit import publish_on_commit
from storedesk.inbox.events import conversation_payload, message_payload
from storedesk.inbox.models import Delivery, DeliveryStatus, Message, OutboundStatus

logger = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 3600


def backoff(attempt: int) -> timedelta:
    """10 s, 40 s, 2.5 min, 10 min ... capped at one hour, with up to 10 % jitter.

    The base comes from settings.DELIVERY_BACKOFF_SECONDS (default 10) so tests and impatient
    deployments can shrink it. Jitter spreads retries after an outage across workers.
    """
    base = float(getattr(settings, "DELIVERY_BACKOFF_SECONDS", 10))
    seconds = min(BACKOFF_CAP_SECONDS, base * 4 ** max(0, attempt - 1))
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))


def _due(now: datetime) -> Q:
    return Q(status=OutboundStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboundStatus.SENDING, lease_until__lt=now
    )


def claim_lease(delivery_id: int) -> datetime | None:
    """Take the row for this worker; returns the lease (the fencing token) or None.

    None when the row is not due or another worker holds an unexpired lease. One conditional
    UPDATE decides, so of any number of concurrent claimants exactly one wins.
    """
    now = timezone.now()
    lease = now + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    claimed = Delivery.objects.filter(_due(now), pk=delivery_id).update(
        status=OutboundStatus.SENDING, lease_until=lease, attempts=F("attempts") + 1, updated_at=now
    )
    return lease if claimed == 1 else None


def claim(delivery_id: int) -> bool:
    """Take the row for this worker. False when it is not due or someone else holds it."""
    return claim_lease(delivery_id) is not None


def deliver(delivery_id: int) -> str:
    """Claim and send one delivery. Returns the resulting status (for tasks and tests)."""
    lease = claim_lease(delivery_id)
    if lease is None:
        return "skipped"
    delivery = Delivery.objects.select_related(
        "message__inbox",
        "message__sender_agent",
        "message__conversation__contact",
        "message__conversation__identity",
    ).get(pk=delivery_id)
    inbox = delivery.message.inbox
    try:
        if not inbox.is_active:
            raise TransportError(f"The inbox {inbox.name!r} is disabled.", permanent=True)
        transport = transport_for(inbox.channel)
        result = transport.send(delivery)
    except TransportError as exc:
        return record_result(delivery_id, error=exc.message, permanent=exc.permanent, lease=lease)
    except Exception as exc:  # a bug or an unexpected library error: retry, and say what it was
        logger.exception("delivery %s crashed", delivery_id)
        return record_result(
            delivery_id, error=f"{type(exc).__name__}: {exc}", permanent=False, lease=lease
        )
    return record_result(
        delivery_id, error=None, provider_message_id=result.provider_message_id, lease=lease
    )


@transaction.atomic
def record_result(
    delivery_id: int,
    *,
    error: str | None,
    permanent: bool = False,
    provider_message_id: str = "",
    lease: datetime | None = None,
) -> str:
    """Write the outcome of one attempt. With `lease`, only if this worker still holds the row."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != OutboundStatus.SENDING:
        return str(delivery.status)  # someone else finished it; keep their outcome
    if lease is not None and delivery.lease_until != lease:
        logger.warning("delivery %s: lease lost to another worker; outcome dropped", delivery_id)
        return "superseded"
    now = timezone.now()
    if error is None:
        delivery.status = OutboundStatus.SENT
        delivery.sent_at = now
        delivery.provider_message_id = provider_message_id[:255]
        delivery.last_error = ""
        message_status = DeliveryStatus.SENT
    elif permanent or delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        delivery.status = OutboundStatus.FAILED
        delivery.last_error = error[:2000]
        message_status = DeliveryStatus.FAILED
    else:
        delivery.status = OutboundStatus.QUEUED
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.last_error = error[:2000]
        message_status = DeliveryStatus.PENDING
    delivery.lease_until = None
    delivery.save()
    Message.objects.filter(pk=delivery.message_id).update(
        delivery_status=message_status,
        delivery_error=delivery.last_error if message_status == DeliveryStatus.FAILED else "",
    )
    if delivery.status == OutboundStatus.QUEUED:
        from storedesk.inbox.tasks import deliver_message

        transaction.on_commit(
            lambda: deliver_message.schedule((delivery_id,), eta=delivery.next_attempt_at)
        )
    else:
        message = Message.objects.select_related("conversation").get(pk=delivery.message_id)
        publish_on_commit(
            message.account_id,
            {
                "type": "message.updated",
                "conversation": conversation_payload(message.conversation),
                "message": message_payload(message),
            },
        )
    return str(delivery.status)


def due_delivery_ids(limit: int = 500) -> list[int]:
    """Rows that should be sent now: queued and due, or sending with an expired lease."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(_due(now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
