"""Shared plumbing for providers that push events to us (WhatsApp, Messenger, Telegram, SMS,
Shopify ... and the test-only fake channel).

1. `accept` (behind ``POST /hooks/<kind>/<inbox_id>/``): the connector's handler verifies the
   signature on the raw bytes (fail closed: a bad or missing signature stores nothing), names
   the event, and the raw event is recorded as an `InboundEvent` keyed by
   ``(provider, scope, event_id)`` with one ``INSERT ... ON CONFLICT DO NOTHING``. A repeat is
   a no-op. The answer is 202 at once; a drain is kicked after commit (at most one waiting
   drain, however many events arrive).
2. The worker drains the stored events in batches (connectors/drain.py): claim with a lease,
   parse per connector, write through ``inbox.actions.receive_messages`` / ``record_receipt``,
   mark done, one transaction per batch. A bad event is kept as `failed` with its error, for an
   admin to see and retry (settings page and ``/api/v1/inbound-events``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, JSONField
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Agent
from storedesk.commerce.models import Store
from storedesk.connectors import drain
from storedesk.connectors.base import Connector
from storedesk.connectors.models import InboundEvent, InboundStatus
from storedesk.connectors.registry import connector_for
from storedesk.core.errors import ActionError
from storedesk.inbox.models import Inbox


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
    connector = connector_for(kind)
    inbox = _active_inbox(kind, inbox_id) if connector is not None else None
    if inbox is None or connector is None or connector.webhook is None:
        raise Refused(404, "Unknown inbox.")
    return inbox, connector


_INBOX_FIELDS = ("id", "account_id", "channel", "config", "secret", "is_active")


def _active_inbox(kind: str, inbox_id: int) -> Inbox | None:
    """The inbox a webhook names, by one plain SELECT (the ORM's query building was most of
    the accept path's CPU). The instance has the fields a verifier reads; any other field
    loads on access, as with ``.only()``."""
    if not 0 < inbox_id < 2**63:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_inbox_sql(connection.vendor), [inbox_id, kind, True])
        row = cursor.fetchone()
    if row is None:
        return None
    config = cast("JSONField[Any]", Inbox._meta.get_field("config"))
    values = list(row)
    values[3] = config.from_db_value(values[3], None, connection)  # type: ignore[arg-type]
    return Inbox.from_db(connection.alias, list(_INBOX_FIELDS), values)


@cache
def _inbox_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = Inbox._meta
    by_attname = {f.attname: str(f.column) for f in meta.concrete_fields}
    columns = ", ".join(quote(by_attname[name]) for name in _INBOX_FIELDS)
    table = quote(meta.db_table)
    # Identifiers from the model's own meta; every value is bound.
    return (f"SELECT {columns} FROM {table} WHERE {quote('id')} = %s "  # noqa: S608
            f"AND {quote('channel')} = %s AND {quote('is_active')} = %s")


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
    signature. The drain applies store-scoped events through the store's platform handler."""
    owner: Inbox | Store | None = inbox if inbox is not None else store
    if owner is None or (inbox is not None and store is not None):
        raise ValueError("An inbound event belongs to exactly one inbox or one store.")
    scope = f"inbox:{owner.pk}" if inbox is not None else f"store:{owner.pk}"
    now = timezone.now()
    row = InboundEvent(
        account_id=owner.account_id, provider=provider, scope=scope, inbox=inbox, store=store,
        event_id=event_id, body=body, headers=headers, created_at=now, updated_at=now,
    )
    pk = _insert_once(row)
    if pk is None:
        existing = InboundEvent.objects.get(provider=provider, scope=scope, event_id=event_id)
        return Accepted(existing, created=False)
    row.pk = pk
    drain.kick_on_commit()
    return Accepted(row, created=True)


def _insert_once(row: InboundEvent) -> int | None:
    """One statement: ``INSERT ... ON CONFLICT (provider, scope, event_id) DO NOTHING
    RETURNING id`` (PostgreSQL and SQLite >= 3.35 alike). None when the event was stored
    before. No savepoint, no SELECT first: the accept path of a webhook storm is this INSERT."""
    fields = _insert_fields()
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values)
        found = cursor.fetchone()
    return int(found[0]) if found else None


def _insert_fields() -> list[Field[Any, Any]]:
    return [f for f in InboundEvent._meta.concrete_fields if not f.primary_key]


@cache
def _insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = InboundEvent._meta
    columns = ", ".join(quote(str(f.column)) for f in _insert_fields())
    placeholders = ", ".join(["%s"] * len(_insert_fields()))
    conflict = ", ".join(quote(c) for c in ("provider", "scope", "event_id"))
    # Identifiers from the model's own meta; every value is bound.
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT ({conflict}) DO NOTHING RETURNING {pk}"  # noqa: E501, S608


def process(event_pk: int) -> str:
    """Apply one stored event now (see connectors/drain.py). Safe to run twice."""
    return drain.process_one(event_pk)


@transaction.atomic
def retry_event(event: InboundEvent, *, by: Agent | None = None) -> InboundEvent:
    """Queue a failed event again (the admin's "retry": a fresh start, its attempts count
    from zero; the audit log keeps the history)."""
    updated = InboundEvent.objects.filter(pk=event.pk, status=InboundStatus.FAILED).update(
        status=InboundStatus.PENDING, attempts=0, updated_at=timezone.now()
    )
    if not updated:
        raise ActionError("Only a failed event can be retried.")
    audit("inbound_event.retried", account=event.account_id, actor=by, obj=event,
          provider=event.provider, event_id=event.event_id)
    drain.kick_on_commit()
    event.refresh_from_db()
    return event
