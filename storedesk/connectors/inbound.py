"""Shared plumbing for providers that push events to us (WhatsApp, Messenger, Telegram, SMS,
Shopify ... and the test-only fake channel).

1. `accept` (behind ``POST /hooks/<kind>/<inbox_id>/``): the connector's handler verifies the
   signature on the raw bytes (fail closed: a bad or missing signature stores nothing), names
   the event, and the raw event is recorded as an `InboundEvent` keyed by
   ``(provider, scope, event_id)``. A repeat hits the unique key and is a no-op. The answer is
   202 at once; the work is queued after commit.
2. `process` (on the worker): claims the row with one conditional UPDATE and a lease, lets the
   handler parse the stored body into messages and receipts, applies them through
   ``inbox.actions.receive_message`` / ``record_receipt`` in one transaction, and marks the row
   done. Any error rolls the work back and keeps the raw event as `failed` with its error, for an
   admin to see and retry (settings page and ``/api/v1/inbound-events``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Agent
from storedesk.commerce.models import Store
from storedesk.connectors.base import Connector, Receipt
from storedesk.connectors.models import InboundEvent, InboundStatus
from storedesk.connectors.registry import connector_for
from storedesk.core.errors import ActionError
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.inbox.actions import InboundMessage, receive_message, record_receipt
from storedesk.inbox.models import Direction, Inbox, Message

LEASE = timedelta(minutes=5)
MAX_ERROR_CHARS = 4000
# A pending event older than this without a worker is picked up again by the sweeper.
LOST_AFTER = timedelta(minutes=1)


class Refused(Exception):
    """The request is not a verified event for a known inbox; nothing was stored."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Accepted:
    event: InboundEvent
    created: bool


def _webhook_inbox(kind: str, inbox_id: int) -> tuple[Inbox, Connector]:
    inbox = Inbox.objects.filter(pk=inbox_id, channel=kind, is_active=True).first()
    connector = connector_for(kind)
    if inbox is None or connector is None or connector.webhook is None:
        raise Refused(404, "Unknown inbox.")
    return inbox, connector


def accept(kind: str, inbox_id: int, headers: dict[str, str], body: bytes) -> Accepted:
    """Verify and record one pushed event; raises Refused (nothing stored) otherwise."""
    inbox, connector = _webhook_inbox(kind, inbox_id)
    handler = connector.webhook
    assert handler is not None
    try:
        verified = handler.verify(inbox, headers, body)
    except Exception:  # noqa: BLE001 - a verifier that crashes must fail closed
        verified = False
    if not verified:
        raise Refused(401, "Invalid signature.")
    try:
        event_id = handler.event_id(headers, body).strip()
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused(400, f"The event has no id: {exc}") from exc
    if not event_id or len(event_id) > 255:
        raise Refused(400, "The event has no usable id.")
    kept = {k: v for k, v in headers.items() if k.lower() in connector.webhook_headers}
    return record_event(kind, event_id, body, kept, inbox=inbox)


def accept_store(platform: str, store_id: int, headers: dict[str, str], body: bytes) -> Accepted:
    """Verify and record one event pushed by a store platform (Shopify, WooCommerce) for one
    store: the platform's verifier checks the signature on the raw bytes (fail closed) and
    names the event (its id is the dedupe key)."""
    from storedesk.commerce.platforms import platform_for
    from storedesk.commerce.platforms.base import PlatformError

    store = Store.objects.filter(pk=store_id, platform=platform).first()
    if store is None or platform == "custom":
        raise Refused(404, "Unknown store.")
    try:
        verified = platform_for(store).verify_webhook(headers, body)
    except (PlatformError, ValueError) as exc:  # ValueError: a body that is not JSON
        raise Refused(401, "Invalid signature.") from exc
    event_id = verified.event_id.strip()
    if not event_id or len(event_id) > 255:
        raise Refused(400, "The event has no usable id.")
    kept = {k: v for k, v in headers.items() if k.lower().startswith(("x-shopify-", "x-wc-"))
            and "signature" not in k.lower() and "hmac" not in k.lower()}
    kept["topic"] = verified.topic
    return record_event(platform, event_id, body, kept, store=store)


def _process_store_event(event: InboundEvent) -> None:
    """Apply a stored store-platform event through commerce's platform handler."""
    import json

    from storedesk.commerce.platforms import platform_for
    from storedesk.commerce.platforms.base import WebhookEvent

    assert event.store is not None
    payload = json.loads(bytes(event.body))
    with transaction.atomic():
        platform_for(event.store).apply_webhook(WebhookEvent(
            event_id=event.event_id, topic=str(event.headers.get("topic", "")), payload=payload))
        InboundEvent.objects.filter(pk=event.pk, lease_until=event.lease_until).update(
            status=InboundStatus.DONE, processed_at=timezone.now(), error="",
            lease_until=None, updated_at=timezone.now())


def record_event(
    provider: str,
    event_id: str,
    body: bytes,
    headers: dict[str, str],
    *,
    inbox: Inbox | None = None,
    store: Store | None = None,
) -> Accepted:
    """Store the raw event once, scoped to an inbox (channels) or a store (commerce webhooks);
    a repeat returns the stored row with created=False. Call it only after verifying the
    signature. (Processing store-scoped events needs a handler: see `process`.)"""
    owner: Inbox | Store | None = inbox if inbox is not None else store
    if owner is None or (inbox is not None and store is not None):
        raise ValueError("An inbound event belongs to exactly one inbox or one store.")
    scope = f"inbox:{owner.pk}" if inbox is not None else f"store:{owner.pk}"
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                account_id=owner.account_id, provider=provider, scope=scope, inbox=inbox,
                store=store, event_id=event_id, body=body, headers=headers,
            )
            from storedesk.connectors.tasks import process_inbound_event

            enqueue_on_commit(process_inbound_event, event.pk)
    except IntegrityError:
        existing = InboundEvent.objects.get(provider=provider, scope=scope, event_id=event_id)
        return Accepted(existing, created=False)
    return Accepted(event, created=True)


def _claim(event_pk: int) -> InboundEvent | None:
    now = timezone.now()
    claimable = Q(status=InboundStatus.PENDING) | Q(
        status=InboundStatus.PROCESSING, lease_until__lt=now
    )
    lease = now + LEASE
    updated = InboundEvent.objects.filter(claimable, pk=event_pk).update(
        status=InboundStatus.PROCESSING, lease_until=lease, updated_at=now
    )
    if not updated:
        return None
    return InboundEvent.objects.select_related("inbox", "store").get(pk=event_pk)


def _apply(inbox: Inbox, item: InboundMessage | Receipt) -> None:
    if isinstance(item, Receipt):
        message = (
            Message.objects.filter(
                inbox=inbox, direction=Direction.OUTGOING,
                delivery__provider_message_id=item.provider_message_id,
            ).first()
            if item.provider_message_id else None
        )
        if message is not None:  # a receipt for a message we never sent is ignored
            record_receipt(message, item.status, error=item.error, at=item.at)
        return
    receive_message(inbox, item)


def process(event_pk: int) -> str:
    """Turn one stored event into messages and receipts. Safe to run twice."""
    event = _claim(event_pk)
    if event is None:
        return "skipped"
    lease = event.lease_until
    fenced = InboundEvent.objects.filter(pk=event.pk, lease_until=lease)
    try:
        if event.store_id is not None and event.inbox_id is None:
            _process_store_event(event)
            return "done"
        inbox = event.inbox
        connector = connector_for(event.provider)
        if inbox is None or connector is None or connector.webhook is None:
            # Store-scoped events (Shopify, WooCommerce) wait here, kept and retryable, until
            # the commerce platform handlers process them.
            raise ActionError(f"No handler for {event.provider} events on {event.scope}.")
        with transaction.atomic():
            for item in connector.webhook.parse(inbox, event.headers, bytes(event.body)):
                _apply(inbox, item)
            fenced.update(status=InboundStatus.DONE, processed_at=timezone.now(), error="",
                          lease_until=None, updated_at=timezone.now())
    except Exception as exc:  # noqa: BLE001 - any failure is kept with the event for a retry
        detail = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
        fenced.update(status=InboundStatus.FAILED, error=str(detail)[:MAX_ERROR_CHARS],
                      attempts=event.attempts + 1, lease_until=None, updated_at=timezone.now())
        return "failed"
    return "done"


@transaction.atomic
def retry_event(event: InboundEvent, *, by: Agent | None = None) -> InboundEvent:
    """Queue a failed event again (the admin's "retry")."""
    updated = InboundEvent.objects.filter(pk=event.pk, status=InboundStatus.FAILED).update(
        status=InboundStatus.PENDING, updated_at=timezone.now()
    )
    if not updated:
        raise ActionError("Only a failed event can be retried.")
    audit("inbound_event.retried", account=event.account_id, actor=by, obj=event,
          provider=event.provider, event_id=event.event_id)
    from storedesk.connectors.tasks import process_inbound_event

    enqueue_on_commit(process_inbound_event, event.pk)
    event.refresh_from_db()
    return event


def lost_event_ids(limit: int = 500) -> list[int]:
    """Pending events whose task was lost, and processing ones whose worker died."""
    now = timezone.now()
    return list(
        InboundEvent.objects.filter(
            Q(status=InboundStatus.PENDING, updated_at__lt=now - LOST_AFTER)
            | Q(status=InboundStatus.PROCESSING, lease_until__lt=now)
        ).order_by("updated_at").values_list("pk", flat=True)[:limit]
    )
