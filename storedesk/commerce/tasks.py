"""Queue tasks for commerce: push order actions to the store platform, reconcile connected
stores (orders and catalog) every 15 minutes, read a product's stock back after a webhook that
only names it. Take ids, idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task
from huey.exceptions import TaskLockedException

from storedesk.commerce.models import (
    Order,
    OrderEdit,
    Platform,
    Refund,
    RefundStatus,
    Return,
    Store,
)
from storedesk.commerce.platforms import platform_for
from storedesk.commerce.platforms.base import PlatformError

logger = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=30)
def push_refund(refund_id: int) -> str:
    """Send a pending refund to the platform once; a permanent refusal marks it failed."""
    refund = Refund.objects.select_related("order__store").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.PENDING:
        return "skipped"
    try:
        external_id = platform_for(refund.order.store).push_refund(refund)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
            status=RefundStatus.FAILED, error=str(exc)[:500]
        )
        logger.warning("refund %s refused by the platform: %s", refund.pk, exc)
        return "failed"
    Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SUCCEEDED, external_id=external_id[:100]
    )
    return "succeeded"


def _refused(store: Store, what: str, obj: object, exc: PlatformError) -> str:
    """A permanent refusal: no retry can help; the audit log tells the store's admins."""
    from storedesk.accounts.actions import audit

    audit("commerce.push_failed", account=store.account_id, obj=obj, operation=what,
          error=str(exc)[:500])
    logger.warning("%s refused by %s for store %s: %s", what, store.platform, store.pk, exc)
    return f"failed: {exc}"


@db_task(retries=5, retry_delay=30)
def push_cancel(order_id: int, reason: str) -> str:
    order = Order.objects.select_related("store").filter(pk=order_id).first()
    if order is None:
        return "skipped"
    try:
        platform_for(order.store).push_cancel(order, reason)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        return _refused(order.store, "cancel", order, exc)
    return "cancelled"


@db_task(retries=5, retry_delay=30)
def push_address(order_id: int) -> str:
    order = Order.objects.select_related("store").filter(pk=order_id).first()
    if order is None:
        return "skipped"
    try:
        platform_for(order.store).push_address(order)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        return _refused(order.store, "address", order, exc)
    return "changed"


@db_task(retries=5, retry_delay=30)
def push_line_edits(edit_id: int) -> str:
    """Send an item edit to the platform once; a permanent refusal marks the edit failed (the
    order panel shows it) and is audited like the other pushes."""
    edit = OrderEdit.objects.select_related("order__store").filter(pk=edit_id).first()
    if edit is None or edit.push_status != "pending":
        return "skipped"
    try:
        platform_for(edit.order.store).push_line_edits(edit)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        OrderEdit.objects.filter(pk=edit.pk, push_status="pending").update(
            push_status="failed", push_error=str(exc)[:500])
        return _refused(edit.order.store, "line edits", edit.order, exc)
    OrderEdit.objects.filter(pk=edit.pk, push_status="pending").update(push_status="pushed")
    return "pushed"


@db_task(retries=5, retry_delay=30)
def push_return(return_id: int) -> str:
    return_request = Return.objects.select_related("order__store").filter(pk=return_id).first()
    if return_request is None or return_request.external_id:
        return "skipped"
    try:
        external_id = platform_for(return_request.order.store).push_return(return_request)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        return _refused(return_request.order.store, "return", return_request, exc)
    Return.objects.filter(pk=return_id, external_id="").update(external_id=external_id[:100])
    return "created"

RECONCILE_EVERY_MINUTES = 15


@db_periodic_task(crontab(minute=f"*/{RECONCILE_EVERY_MINUTES}"))
def reconcile_stores() -> int:
    """Every 15 minutes: queue a reconciliation for each store connected to Shopify or
    WooCommerce with API credentials (one task per store, so a slow shop delays no other;
    a store that only sends webhooks, or was redacted, is left alone)."""
    ids = [pk for pk, config in Store.objects.filter(
               platform__in=[Platform.SHOPIFY, Platform.WOOCOMMERCE]).values_list("pk", "config")
           if (config or {}).get("access_token") or (config or {}).get("consumer_secret")]
    for store_id in ids:
        reconcile_store(store_id)
    return len(ids)


@db_task(retries=3, retry_delay=60)
def reconcile_store(store_id: int) -> str:
    """Reconcile one store's orders and catalog; a second run for the same store while one is
    going skips. A run stopped by a transient failure (the platform's 5xx, a timeout) raises,
    so the queue retries it (3 times, a minute apart); it starts again from the watermarks
    saved after each page, so nothing is read twice for nothing and nothing is lost."""
    from storedesk.commerce.actions import reconcile_store as reconcile

    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return "gone"
    try:
        with lock_task(f"commerce-reconcile-{store_id}"):
            result = reconcile(store)
    except TaskLockedException:
        return "already running"
    if result.error:
        logger.warning("reconciling store %s stopped: %s", store_id, result.error)
    if result.transient:
        raise PlatformError(f"reconciling store {store_id} stopped: {result.error}")
    return (f"{result.orders} orders in {result.pages} pages, {result.products_changed} of "
            f"{result.products} products changed")


@db_task(retries=5, retry_delay=30)
def refresh_inventory(store_id: int, inventory_item_id: str) -> str:
    """A Shopify `inventory_levels/update` named one location's stock of an inventory item:
    read its product's totals back from the Admin API (outside any transaction) and apply them
    through the one product upsert (which records `product.back_in_stock` when it comes back).
    Runs twice harmlessly; a transient failure retries, a permanent one is logged."""
    from storedesk.commerce.actions import upsert_product
    from storedesk.commerce.platforms.shopify import ShopifyPlatform

    store = Store.objects.filter(pk=store_id, platform=Platform.SHOPIFY).first()
    if store is None:
        return "gone"
    try:
        data = ShopifyPlatform(store).product_of_inventory_item(inventory_item_id)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        logger.warning("inventory item %s of store %s: %s", inventory_item_id, store_id, exc)
        return f"failed: {exc}"
    product = upsert_product(store, data)
    return f"product {product.external_id} stock refreshed"


@db_task(retries=5, retry_delay=30)
def refresh_product(store_id: int, external_id: str) -> str:
    """A WooCommerce webhook named a variable product, or one of its variations: read the
    product back with every variation's stock (outside any transaction) and apply it through
    the one product upsert (which records `product.back_in_stock` for what came back). Runs
    twice harmlessly; a transient failure retries, a permanent one is logged."""
    from storedesk.commerce.actions import upsert_product
    from storedesk.commerce.platforms.woocommerce import WooCommercePlatform

    store = Store.objects.filter(pk=store_id, platform=Platform.WOOCOMMERCE).first()
    if store is None:
        return "gone"
    try:
        data = WooCommercePlatform(store).fetch_product(external_id)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        logger.warning("product %s of store %s: %s", external_id, store_id, exc)
        return f"failed: {exc}"
    product = upsert_product(store, data)
    return f"product {product.external_id}: {len(data.variants)} variants refreshed"
