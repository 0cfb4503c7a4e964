"""Connecting a store to its platform (credentials sealed at rest) and reconciling its orders.

`connect_store` keeps secrets sealed (`commerce.credentials`); a blank secret in the form keeps
the stored one, so the settings page never needs to show it back. `reconcile_store` reads the
orders changed on the platform since the store's watermark, page by page, writes each through
the same upsert as the webhooks (replaying an order changes nothing), and moves the watermark
forward after each page, so a crash or a deadline resumes where it stopped. It heals webhooks
the platform never delivered or we refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Agent
from storedesk.commerce import credentials
from storedesk.commerce.actions.sync import upsert_order
from storedesk.commerce.models import Platform, ShippingRate, Store
from storedesk.commerce.platforms import platform_for
from storedesk.commerce.platforms.base import PlatformError
from storedesk.core.errors import ActionError

# Read a little before the watermark: a platform may stamp an order's updated_at a moment
# before the change becomes visible to its search. Upserts are idempotent, so re-reading is free.
OVERLAP = timedelta(minutes=5)
# The first reconciliation of a newly connected store looks back this far.
FIRST_LOOKBACK = timedelta(days=30)

PLAIN_KEYS: dict[str, tuple[str, ...]] = {
    Platform.SHOPIFY: ("shop_domain",),
    Platform.WOOCOMMERCE: ("site_url", "consumer_key", "source"),
}


@transaction.atomic
def connect_store(store: Store, *, by: Agent | None, values: dict[str, Any]) -> Store:
    """Store the platform connection: plain settings as given, secrets sealed; a blank secret
    keeps the one stored."""
    if store.platform == Platform.CUSTOM:
        raise ActionError("A custom store pushes its orders to Storedesk; it has no connection.")
    config = dict(store.config or {})
    changed = []
    for key in PLAIN_KEYS.get(store.platform, ()):
        if key in values and values[key] is not None:
            config[key] = str(values[key]).strip()
            changed.append(key)
    for key in sorted(credentials.SECRET_KEYS):
        value = values.get(key)
        if value:
            config[key] = credentials.seal(str(value).strip())
            changed.append(key)
    store.config = config
    store.save(update_fields=["config", "updated_at"])
    # The audit row names what changed, never a value.
    audit("store.connection_changed", account=store.account_id, actor=by, obj=store,
          fields=changed)
    return store


def reseal_credentials() -> tuple[int, list[str]]:
    """Re-seal every store's secrets under the newest key (after a key rotation), and seal
    any still plain. Returns (secrets resealed, stores whose secrets no key opens)."""
    count, problems = 0, []
    for store_id in Store.objects.values_list("pk", flat=True):
        with transaction.atomic():
            store = Store.objects.select_for_update().get(pk=store_id)
            config = dict(store.config or {})
            try:
                for key in credentials.SECRET_KEYS & config.keys():
                    if isinstance(config[key], str) and config[key]:
                        config[key] = credentials.reseal(config[key])
                        count += 1
            except PlatformError:
                problems.append(f"store {store.pk} ({store.slug}): no configured key opens "
                                "its credentials; enter them again in the settings.")
                continue
            Store.objects.filter(pk=store.pk).update(config=config)
    return count, problems


@transaction.atomic
def delete_shipping_rate(rate: ShippingRate, *, by: Agent | None) -> None:
    audit("store.shipping_rate_deleted", account=rate.account_id, actor=by, obj=rate,
          method=rate.method, country=rate.country)
    rate.delete()


@dataclass(frozen=True)
class Reconciled:
    pages: int
    orders: int
    watermark: str
    error: str = ""


def reconcile_store(store: Store) -> Reconciled:
    """Heal missed webhooks: upsert every order the platform changed since the watermark.

    Network calls happen outside any transaction; each order is written in its own."""
    if store.platform == Platform.CUSTOM:
        return Reconciled(pages=0, orders=0, watermark="")
    since = (store.sync_watermark - OVERLAP if store.sync_watermark
             else timezone.now() - FIRST_LOOKBACK)
    pages = orders = 0
    watermark = store.sync_watermark
    error = ""
    try:
        for page in platform_for(store).order_pages(since):
            for data in page.orders:
                upsert_order(store, data)
                orders += 1
            pages += 1
            if page.watermark is not None and (watermark is None or page.watermark > watermark):
                watermark = page.watermark
                Store.objects.filter(pk=store.pk).update(sync_watermark=watermark)
    except (PlatformError, ActionError) as exc:
        error = str(getattr(exc, "detail", None) or exc)[:500]
    Store.objects.filter(pk=store.pk).update(last_synced_at=timezone.now(), sync_error=error)
    store.refresh_from_db(fields=["sync_watermark", "last_synced_at", "sync_error"])
    return Reconciled(pages=pages, orders=orders,
                      watermark=watermark.isoformat() if watermark else "", error=error)
