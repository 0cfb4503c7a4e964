"""Shared plumbing for providers that push events to us (WhatsApp, Messenger, Telegram, SMS,
Shopify ... and the test-only fake channel).

1. `accept_many` (behind ``POST /hooks/<kind>/<inbox_id>/``; the ASGI route hands it the
   concurrent requests of a process together, `accept` is the one-push form): the connector's
   handler verifies the signature on the raw bytes (fail closed: a bad or missing signature
   stores nothing), names the event, and the raw events are recorded as `InboundEvent` rows
   keyed by ``(provider, scope, event_id)`` with one ``INSERT ... ON CONFLICT DO NOTHING``
   for the batch. A repeat is a no-op. The answer is 202 once the INSERT is committed; a drain
   is kicked after commit, once per batch (at most one waiting drain, however many events
   arrive).
2. The worker drains the stored events in batches (connectors/drain.py): claim with a lease,
   parse per connector, write through ``inbox.actions.receive_messages`` / ``record_receipt``,
   mark done, one transaction per batch. A bad event is kept as `failed` with its error, for an
   admin to see and retry (settings page and ``/api/v1/inbound-events``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, JSONField, Q
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Agent
from storedesk.commerce.models import Store
from storedesk.connectors import drain
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


@dataclass(frozen=True)
class Push:
    """One provider request to ``POST /hooks/<kind>/<inbox_id>/``: headers (lower-case names)
    and the raw body."""

    kind: str
    inbox_id: int
    headers: dict[str, str]
    body: bytes


_INBOX_FIELDS = ("id", "account_id", "channel", "config", "secret", "is_active")


def _active_inboxes(ids: set[int]) -> dict[int, Inbox]:
    """The active inboxes among `ids`, by one plain SELECT for a whole batch of pushes (the
    ORM's query building was most of the accept path's CPU). The instances have the fields a
    verifier reads; any other field loads on access, as with ``.only()``."""
    wanted = sorted(i for i in ids if 0 < i < 2**63)
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_inbox_sql(connection.vendor, len(wanted)), [*wanted, True])
        rows = cursor.fetchall()
    config = cast("JSONField[Any]", Inbox._meta.get_field("config"))
    found: dict[int, Inbox] = {}
    for row in rows:
        values = list(row)
        values[3] = config.from_db_value(values[3], None, connection)  # type: ignore[arg-type]
        inbox = Inbox.from_db(connection.alias, list(_INBOX_FIELDS), values)
        found[inbox.pk] = inbox
    return found


@cache
def _inbox_sql(vendor: str, count: int) -> str:
    quote = connection.ops.quote_name
    meta = Inbox._meta
    by_attname = {f.attname: str(f.column) for f in meta.concrete_fields}
    columns = ", ".join(quote(by_attname[name]) for name in _INBOX_FIELDS)
    table = quote(meta.db_table)
    ids = ", ".join(["%s"] * count)
    # Identifiers from the model's own meta; every value is bound.
    return (f"SELECT {columns} FROM {table} WHERE {quote('id')} IN ({ids}) "  # noqa: S608
            f"AND {quote('is_active')} = %s")


def accept(kind: str, inbox_id: int, headers: dict[str, str], body: bytes) -> Accepted:
    """Verify and record one pushed event; raises Refused (nothing stored) otherwise."""
    result = accept_many([Push(kind, inbox_id, headers, body)])[0]
    if isinstance(result, Refused):
        raise result
    return result


def accept_many(pushes: Sequence[Push]) -> list[Accepted | Refused]:
    """Verify and record many pushed events (the webhook route's group commit), one result per
    push, in order: `Accepted` (stored now, or a repeat) or `Refused` (nothing stored).

    One SELECT for the inboxes, each signature checked on its raw bytes (fail closed), one
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` for the verified events (durable when it
    returns: an accepted event is committed before its 2xx), one SELECT for the repeats, and
    one drain kick after commit when anything new was stored."""
    inboxes = _active_inboxes({p.inbox_id for p in pushes})
    results: list[Accepted | Refused | None] = [None] * len(pushes)
    rows: list[tuple[int, InboundEvent]] = []
    for index, push in enumerate(pushes):
        try:
            rows.append((index, _verified_row(push, inboxes.get(push.inbox_id))))
        except Refused as refused:
            results[index] = refused
    for index, accepted in zip([i for i, _ in rows], _record([r for _, r in rows]), strict=True):
        results[index] = accepted
    return [r for r in results if r is not None]


def _verified_row(push: Push, inbox: Inbox | None) -> InboundEvent:
    connector = connector_for(push.kind)
    if (inbox is None or inbox.channel != push.kind or connector is None
            or connector.webhook is None):
        raise Refused(404, "Unknown inbox.")
    handler = connector.webhook
    try:
        verified = handler.verify(inbox, push.headers, push.body)
    except Exception:  # noqa: BLE001 - a verifier that crashes must fail closed
        verified = False
    if not verified:
        raise Refused(401, "Invalid signature.")
    try:
        event_id = handler.event_id(push.headers, push.body).strip()
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused(400, f"The event has no id: {exc}") from exc
    if not event_id or len(event_id) > 255:
        raise Refused(400, "The event has no usable id.")
    kept = {k: v for k, v in push.headers.items() if k.lower() in connector.webhook_headers}
    return _event_row(push.kind, event_id, push.body, kept, inbox=inbox)


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
    return _record([_event_row(provider, event_id, body, headers, inbox=inbox, store=store)])[0]


def _event_row(
    provider: str,
    event_id: str,
    body: bytes,
    headers: dict[str, str],
    *,
    inbox: Inbox | None = None,
    store: Store | None = None,
) -> InboundEvent:
    owner: Inbox | Store | None = inbox if inbox is not None else store
    if owner is None or (inbox is not None and store is not None):
        raise ValueError("An inbound event belongs to exactly one inbox or one store.")
    scope = f"inbox:{owner.pk}" if inbox is not None else f"store:{owner.pk}"
    now = timezone.now()
    return InboundEvent(
        account_id=owner.account_id, provider=provider, scope=scope, inbox=inbox, store=store,
        event_id=event_id, body=body, headers=headers, created_at=now, updated_at=now,
    )


Key = tuple[str, str, str]


def _key(row: InboundEvent) -> Key:
    return (row.provider, row.scope, row.event_id)


def _record(rows: list[InboundEvent]) -> list[Accepted]:
    """The one write path of inbound events: insert the rows not stored before (a key repeated
    in `rows` is inserted once, the later ones are repeats) and find the stored ones."""
    if not rows:
        return []
    first: dict[Key, InboundEvent] = {}
    for row in rows:
        first.setdefault(_key(row), row)
    new = list(first.values())
    inserted: dict[Key, int] = {}
    for start in range(0, len(new), INSERT_CHUNK):
        inserted.update(_insert_many(new[start:start + INSERT_CHUNK]))
    stored = {key: row for key, row in first.items() if key in inserted}
    for key, row in stored.items():
        row.pk = inserted[key]
    missing = [key for key in first if key not in inserted]
    if missing:
        stored.update(_existing(missing))
    if inserted:
        drain.kick_on_commit()
    results = []
    for row in rows:
        key = _key(row)
        created = row is first[key] and key in inserted
        results.append(Accepted(stored[key], created=created))
    return results


def _existing(keys: list[Key]) -> dict[Key, InboundEvent]:
    """The rows stored before for these keys (repeats), one query."""
    match = Q()
    for provider, scope, event_id in keys:
        match |= Q(provider=provider, scope=scope, event_id=event_id)
    return {_key(e): e for e in InboundEvent.objects.filter(match)}


# Rows per INSERT statement (13 bound values each: under SQLite's variable limit).
INSERT_CHUNK = 200


def _insert_many(rows: list[InboundEvent]) -> dict[Key, int]:
    """One statement: ``INSERT ... VALUES (...), (...) ON CONFLICT (provider, scope, event_id)
    DO NOTHING RETURNING id, provider, scope, event_id`` (PostgreSQL and SQLite >= 3.35 alike):
    the ids of the rows inserted now, by key; a key stored before is absent. No savepoint, no
    SELECT first: the accept path of a webhook storm is this INSERT."""
    fields = _insert_fields()
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection)
              for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor, len(rows)), values)
        found = cursor.fetchall()
    return {(str(p), str(s), str(e)): int(pk) for pk, p, s, e in found}


def _insert_fields() -> list[Field[Any, Any]]:
    return [f for f in InboundEvent._meta.concrete_fields if not f.primary_key]


@cache
def _insert_sql(vendor: str, count: int) -> str:
    quote = connection.ops.quote_name
    meta = InboundEvent._meta
    columns = ", ".join(quote(str(f.column)) for f in _insert_fields())
    row = "(" + ", ".join(["%s"] * len(_insert_fields())) + ")"
    key = ", ".join(quote(c) for c in ("provider", "scope", "event_id"))
    # Identifiers from the model's own meta; every value is bound.
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    return (f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * count)} "  # noqa: S608
            f"ON CONFLICT ({key}) DO NOTHING RETURNING {pk}, {key}")


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
