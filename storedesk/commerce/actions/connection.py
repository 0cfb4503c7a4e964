"""Connecting a store to its platform (credentials sealed at rest) and reconciling its orders
and catalog.

`connect_store` keeps secrets sealed (`commerce.credentials`); a blank secret in the form keeps
the stored one, so the settings page never needs to show it back. `reconcile_store` reads the
orders, then the products, changed on the platform since the store's two watermarks, page by
page, writes each through the same upsert as the webhooks (replaying one changes nothing; a
restock found here records `product.back_in_stock` exactly as its webhook would have, once), and
moves each watermark forward after each page, so a crash or a deadline resumes where it
stopped. It heals webhooks the platform never delivered or we refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Agent
from storedesk.commerce import credentials
from storedesk.commerce.actions.sync import deactivate_product, upsert_order, upsert_product
from storedesk.commerce.models import Platform, Product, ShippingRate, Store, Variant
from storedesk.commerce.platforms import platform_for
from storedesk.commerce.platforms.base import PlatformError, ProductData
from storedesk.core.errors import ActionError

logger = logging.getLogger(__name__)

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
    pages: int  # pages of orders
    orders: int
    watermark: str
    error: str = ""
    product_pages: int = 0
    products: int = 0  # products read (and deleted ones seen)
    products_changed: int = 0  # of which something changed here (stock, price, title...)
    # The run stopped on a failure a later try may not meet (the platform's 5xx, a timeout):
    # the queue task retries it; the watermarks make the retry start where this one stopped.
    transient: bool = False


def _error_text(exc: Exception) -> str:
    return str(getattr(exc, "detail", None) or exc)[:500]


def reconcile_store(store: Store) -> Reconciled:
    """Heal missed webhooks: upsert every order, then every product, the platform changed
    since the store's watermarks.

    Network calls happen outside any transaction; each order and product is written in its
    own."""
    if store.platform == Platform.CUSTOM:
        return Reconciled(pages=0, orders=0, watermark="")
    since = (store.sync_watermark - OVERLAP if store.sync_watermark
             else timezone.now() - FIRST_LOOKBACK)
    pages = orders = 0
    watermark = store.sync_watermark
    errors: list[str] = []
    transient = False
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
        errors.append(_error_text(exc))
        transient = transient or (isinstance(exc, PlatformError) and not exc.permanent)
    catalog = _reconcile_products(store)
    if catalog.error:
        errors.append(catalog.error)
        transient = transient or catalog.transient
    error = "; ".join(errors)[:500]
    Store.objects.filter(pk=store.pk).update(last_synced_at=timezone.now(), sync_error=error)
    store.refresh_from_db(fields=["sync_watermark", "product_watermark", "last_synced_at",
                                  "sync_error"])
    return Reconciled(pages=pages, orders=orders,
                      watermark=watermark.isoformat() if watermark else "", error=error,
                      product_pages=catalog.product_pages, products=catalog.products,
                      products_changed=catalog.products_changed, transient=transient)


def _catalog_state(store: Store, external_id: str) -> tuple[object, ...] | None:
    """What a product looks like here, to tell whether applying the platform's copy changed
    anything (the reconciliation reports how many did)."""
    product = (Product.objects.filter(store=store, external_id=external_id[:100])
               .values_list("pk", "title", "category", "active").first())
    if product is None:
        return None
    variants = tuple(Variant.objects.filter(product_id=product[0]).order_by("sku").values_list(
        "sku", "title", "price", "inventory", "options"))
    return (*product, variants)


def _reconcile_products(store: Store) -> Reconciled:
    """The catalog half of `reconcile_store`: products changed since the product watermark
    (the whole catalog the first time), through `upsert_product` (so a restock notifies once,
    as its webhook would), deleted ones deactivated as their webhook does. A product the
    platform sends that we refuse is skipped and named in the error; the others go on."""
    since = store.product_watermark - OVERLAP if store.product_watermark else None
    watermark = store.product_watermark
    pages = read = changed = 0
    refused: list[str] = []
    try:
        for page in platform_for(store).product_pages(since):
            for external_id in page.deleted:
                before = _catalog_state(store, external_id)
                deactivate_product(store, external_id)
                read += 1
                changed += int(before != _catalog_state(store, external_id))
            for data in page.products:
                read += 1
                changed += int(_apply_product(store, data, refused))
            pages += 1
            if page.watermark is not None and (watermark is None or page.watermark > watermark):
                watermark = page.watermark
                Store.objects.filter(pk=store.pk).update(product_watermark=watermark)
    except PlatformError as exc:
        return Reconciled(pages=0, orders=0, watermark="", product_pages=pages, products=read,
                          products_changed=changed, transient=not exc.permanent,
                          error="; ".join([*refused, f"products: {_error_text(exc)}"]))
    return Reconciled(pages=0, orders=0, watermark="", product_pages=pages, products=read,
                      products_changed=changed, error="; ".join(refused))


def _apply_product(store: Store, data: ProductData, refused: list[str]) -> bool:
    before = _catalog_state(store, data.external_id)
    try:
        upsert_product(store, data)
    except ActionError as exc:
        logger.warning("store %s: product %s refused: %s", store.pk, data.external_id,
                       _error_text(exc))
        refused.append(f"product {data.external_id[:40]}: {_error_text(exc)}")
        return False
    return before != _catalog_state(store, data.external_id)
