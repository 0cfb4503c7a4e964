"""WooCommerce: webhooks verified with `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the raw
body under the webhook's secret), deduplicated by `X-WC-Webhook-Delivery-ID`; order topics are
synced through the same upsert as every other platform; order actions pushed, orders and
products reconciled through the REST API v3 (`client.py`).

A variable product's variations (a size, a colour, each with its own SKU, price and stock) are
its variants here, read from `GET /products/{id}/variations`. WooCommerce sends
`product.updated` for a variation too, with the variation's own body (`parent_id` set): the
product and all its variations are then read back through the API after commit
(`commerce.tasks.refresh_product`), like Shopify's inventory levels.

Store config: {"site_url": "https://shop.example.com", "consumer_key": "ck_...",
"consumer_secret": <sealed>, "webhook_secret": <sealed>, "source": "https://shop.example.com"}.
WooCommerce core has no returns API: a return is authorised in Storedesk and written on the
order as a note (`POST /orders/{id}/notes`); its refund goes through `push_refund`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime

from storedesk.commerce import credentials
from storedesk.commerce.platforms import signatures
from storedesk.commerce.platforms.base import (
    CustomerData,
    LineData,
    OrderData,
    OrderPage,
    PlatformError,
    ProductData,
    ProductPage,
    StorePlatform,
    VariantData,
    WebhookEvent,
    known_line_ids,
)
from storedesk.commerce.platforms.woocommerce.client import WooClient
from storedesk.core.oncommit import enqueue_on_commit

if TYPE_CHECKING:
    from storedesk.commerce.models import Order, OrderEdit, Refund, Return

logger = logging.getLogger(__name__)

IDEMPOTENCY_META = "storedesk_idempotency_key"

ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.restored"})
# A product's body carries its stock (`stock_quantity` when stock is managed, else
# `stock_status`, which for a variable product says whether any variation can be bought).
PRODUCT_TOPICS = frozenset({"product.created", "product.updated", "product.restored"})
PRODUCT_DELETE_TOPICS = frozenset({"product.deleted"})  # trashed; the body is {"id": ...}
# WooCommerce order status -> (status, financial status, fulfilment status)
STATUSES = {
    "pending": ("open", "pending", "unfulfilled"),
    "processing": ("open", "paid", "unfulfilled"),
    "on-hold": ("open", "pending", "unfulfilled"),
    "completed": ("closed", "paid", "fulfilled"),
    "cancelled": ("cancelled", "voided", "unfulfilled"),
    "refunded": ("closed", "refunded", "unfulfilled"),
    "failed": ("open", "pending", "unfulfilled"),
}


class WooCommercePlatform(StorePlatform):
    name = "woocommerce"

    def verify_webhook(self, headers: dict[str, str], body: bytes) -> WebhookEvent:
        signatures.verify(credentials.credential(self.store.config, "webhook_secret"), body,
                          headers.get("x-wc-webhook-signature"))
        source = str(self.store.config.get("source", "")).rstrip("/")
        if source and headers.get("x-wc-webhook-source", "").rstrip("/") != source:
            raise PlatformError("The webhook is from another shop.", permanent=True)
        delivery = headers.get("x-wc-webhook-delivery-id")
        if not delivery:
            raise PlatformError("The webhook has no X-WC-Webhook-Delivery-ID.", permanent=True)
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise PlatformError("The webhook body is not a JSON object.", permanent=True)
        return WebhookEvent(event_id=delivery, topic=headers.get("x-wc-webhook-topic", ""),
                            payload=payload)

    def apply_webhook(self, event: WebhookEvent) -> str:
        from storedesk.commerce import tasks
        from storedesk.commerce.actions import deactivate_product, upsert_order, upsert_product

        if event.topic in ORDER_TOPICS:
            order = upsert_order(self.store, parse_order(event.payload, self.store.currency))
            return f"order {order.number} synced"
        if event.topic in PRODUCT_TOPICS:
            variation = bool(event.payload.get("parent_id"))
            if (variation or event.payload.get("type") == "variable") and not self.can_read():
                # Webhooks only, no REST API key: a variable product counts as one variant
                # (its own stock_status: in stock when any variation is); a variation's body
                # cannot be placed without its product's.
                if variation:
                    return f"variation {event.payload.get('id')}: ignored (no REST API key)"
                product = upsert_product(self.store, parse_product(event.payload,
                                                                   variable_as_one=True))
                return f"product {product.external_id} synced"
            if variation or event.payload.get("type") == "variable":
                # A variation's own body, or a variable product's: the product is read back
                # with every variation's stock after commit (network outside this
                # transaction); the parent's own fields are applied now.
                parent = str(event.payload.get("parent_id") or event.payload.get("id") or "")
                if not parent.isdigit():
                    raise PlatformError("The variation has no parent_id.", permanent=True)
                if not event.payload.get("parent_id"):
                    upsert_product(self.store, parse_product(event.payload))
                enqueue_on_commit(tasks.refresh_product, self.store.pk, parent)
                return f"product {parent}: variations refresh queued"
            data = parse_product(event.payload)
            product = upsert_product(self.store, data)
            if data.updated_at is not None and product.source_updated_at is not None \
                    and product.source_updated_at > data.updated_at:
                return f"product {product.external_id}: an older update, skipped"
            return f"product {product.external_id} synced"
        if event.topic in PRODUCT_DELETE_TOPICS:
            if not str(event.payload.get("id") or "").isdigit():
                raise PlatformError("The deleted product has no id.", permanent=True)
            gone = deactivate_product(self.store, str(event.payload["id"]))
            return f"product {event.payload['id']} " + ("deactivated" if gone else "unknown")
        return f"ignored topic {event.topic!r}"

    # --- REST API v3 ----------------------------------------------------------------------

    def client(self) -> WooClient:
        config = self.store.config or {}
        return WooClient(str(config.get("site_url", "")), str(config.get("consumer_key", "")),
                         credentials.credential(config, "consumer_secret"))

    def can_read(self) -> bool:
        """Whether the store has a REST API key to read products back with."""
        config = self.store.config or {}
        return bool(config.get("site_url") and config.get("consumer_key")
                    and config.get("consumer_secret"))

    def test_connection(self) -> str:
        client = self.client()
        client.call("GET", "/orders", params={"per_page": 1})  # needs read access to orders
        info, _headers = client.call("GET", "/system_status")
        environment = (info or {}).get("environment") or {} if isinstance(info, dict) else {}
        return str(environment.get("site_url") or client.base)

    def order_pages(self, since: datetime | None) -> Iterator[OrderPage]:
        """Orders modified after `since` (`modified_after`, WooCommerce 5.8+). The documented
        sort keys do not include the modification date, so pages come in creation order and
        the watermark is given once, after the last page: a run that stops midway leaves it
        where it was and the next run reads the same orders again (upserts are idempotent)."""
        params: dict[str, Any] = {"orderby": "date", "order": "asc", "dates_are_gmt": "true"}
        if since is not None:
            params["modified_after"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        latest: datetime | None = None
        for items in self.client().pages("/orders", params):
            for stamp in (_gmt(i.get("date_modified_gmt")) for i in items):
                if stamp is not None and (latest is None or stamp > latest):
                    latest = stamp
            yield OrderPage(orders=tuple(parse_order(i, self.store.currency) for i in items),
                            watermark=None)
        yield OrderPage(orders=(), watermark=latest)

    def customers(self) -> Iterator[CustomerData]:
        for items in self.client().pages("/customers"):
            for c in items:
                yield CustomerData(
                    external_id=str(c.get("id", "")), email=c.get("email") or "",
                    name=" ".join(p for p in (c.get("first_name"), c.get("last_name")) if p),
                    phone=(c.get("billing") or {}).get("phone") or "")

    def products(self) -> Iterator[ProductData]:
        client = self.client()
        for items in client.pages("/products"):
            for p in items:
                yield parse_product(p, with_updated_at=False,
                                    variations=_variations(client, p))

    def product_pages(self, since: datetime | None) -> Iterator[ProductPage]:
        """Products modified after `since` (all of them when None), by modification time
        (`orderby=modified`, ascending), each variable one with its variations; first the
        products trashed since then (a listing of any status leaves the trash out), which are
        deactivated. A product deleted for good is not listed anywhere: its `product.deleted`
        webhook (sent when it is trashed) is what tells."""
        client = self.client()
        params: dict[str, Any] = {"orderby": "modified", "order": "asc", "dates_are_gmt": "true"}
        if since is not None:
            params["modified_after"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        for items in client.pages("/products", {**params, "status": "trash"}):
            yield ProductPage(products=(), watermark=None,
                              deleted=tuple(str(i["id"]) for i in items if i.get("id")))
        for items in client.pages("/products", {**params, "status": "any"}):
            products = []
            for item in items:
                try:
                    products.append(parse_product(item, variations=_variations(client, item)))
                except PlatformError as exc:
                    if not exc.permanent:
                        raise
                    logger.warning("store %s: product %s skipped: %s", self.store.pk,
                                   item.get("id"), exc)
            stamps = [d for d in (_gmt(i.get("date_modified_gmt")) for i in items) if d]
            yield ProductPage(products=tuple(products), watermark=max(stamps) if stamps else None)

    def fetch_product(self, external_id: str) -> ProductData:
        """One product as it is now, a variable one with all its variations."""
        client = self.client()
        item, _headers = client.call("GET", f"/products/{external_id}")
        if not isinstance(item, dict):
            raise PlatformError(f"WooCommerce has no product {external_id}.", permanent=True)
        return parse_product(item, variations=_variations(client, item))

    def push_refund(self, refund: Refund) -> str:
        """`POST /orders/{id}/refunds` through the payment gateway (`api_refund`), restocking
        when asked; the idempotency key rides in the refund's meta data, so a retried push
        finds the refund it already made."""
        client = self.client()
        path = f"/orders/{refund.order.external_id}/refunds"
        existing, _headers = client.call("GET", path)
        for made in existing or []:
            if any(m.get("key") == IDEMPOTENCY_META and m.get("value") == refund.idempotency_key
                   for m in made.get("meta_data") or []):
                return str(made.get("id", ""))
        lines = {line.pk: line for line in refund.order.lines.all()}
        items = []
        for item in refund.lines or []:
            line = lines.get(int(item.get("line_id", 0)))
            if line is None or not line.external_id.isdigit():
                raise PlatformError("A refunded line is not a WooCommerce line item.",
                                    permanent=True)
            quantity = int(item["quantity"])
            items.append({"id": int(line.external_id), "quantity": quantity,
                          "refund_total": f"{line.price * quantity:.2f}"})
        created, _headers = client.call("POST", path, body={
            "amount": f"{refund.amount:.2f}", "reason": refund.reason[:500],
            "api_refund": True, "api_restock": bool(refund.restock), "line_items": items,
            "meta_data": [{"key": IDEMPOTENCY_META, "value": refund.idempotency_key}],
        })
        return str((created or {}).get("id", ""))

    def push_cancel(self, order: Order, reason: str) -> None:
        client = self.client()
        current, _headers = client.call("GET", f"/orders/{order.external_id}")
        if (current or {}).get("status") in ("cancelled", "refunded"):
            return
        client.call("PUT", f"/orders/{order.external_id}", body={"status": "cancelled"})
        if reason:
            client.call("POST", f"/orders/{order.external_id}/notes",
                        body={"note": f"Cancelled from Storedesk: {reason[:500]}",
                              "customer_note": False})

    def push_address(self, order: Order) -> None:
        address = order.shipping_address or {}
        first, _, last = str(address.get("name", "")).strip().partition(" ")
        self.client().call("PUT", f"/orders/{order.external_id}", body={"shipping": {
            "first_name": first, "last_name": last, "company": address.get("company", ""),
            "address_1": address.get("address1", ""), "address_2": address.get("address2", ""),
            "city": address.get("city", ""), "state": address.get("province", ""),
            "postcode": address.get("zip", ""), "country": address.get("country", ""),
        }})

    def push_line_edits(self, edit: OrderEdit) -> None:
        """`PUT /orders/{id}` with `line_items`: a removed or swapped-out item by its id with
        `product_id: null` and `quantity: 0` (how WooCommerce deletes a line), a quantity
        change with the item's own product and variation, a new variant by `product_id` and
        `variation_id` (found by SKU). Read first, so a retry after a change that went through
        sends nothing."""
        client = self.client()
        path = f"/orders/{edit.order.external_id}"
        current, _headers = client.call("GET", path)
        items = {str(li.get("id")): li for li in (current or {}).get("line_items") or []}
        # Items Storedesk does not know with the new SKU: added by an earlier push.
        known = known_line_ids(edit)
        added = {str(li.get("sku") or "") for key, li in items.items() if key not in known}
        body: list[dict[str, Any]] = []
        for change in edit.changes:
            old = items.get(str(change.get("external_id") or ""))
            swapped = change.get("new_sku") != change.get("sku")
            quantity = int(change["new_quantity"])
            if old is not None and (swapped or quantity == 0):
                body.append({"id": old["id"], "product_id": None, "quantity": 0})
            elif old is not None and int(old.get("quantity") or 0) != quantity:
                body.append({"id": old["id"], "product_id": old.get("product_id"),
                             "variation_id": old.get("variation_id") or 0,
                             "quantity": quantity})
            elif old is None and not swapped and quantity > 0:
                raise PlatformError(f"{change.get('title')!r} is not on the WooCommerce order.",
                                    permanent=True)
            new_sku = str(change.get("new_sku") or "")
            if swapped and quantity > 0 and new_sku not in added:
                body.append({**self._product_ref(change, new_sku), "quantity": quantity})
        if body:
            client.call("PUT", path, body={"line_items": body})

    def _product_ref(self, change: dict[str, Any], sku: str) -> dict[str, int]:
        """The new variant as WooCommerce names it: its product and variation ids when the
        catalog sync recorded them, else looked up by SKU."""
        product = str(change.get("product_external_id") or "")
        variant = str(change.get("new_variant_external_id") or "")
        if product.isdigit() and variant.isdigit():
            if variant == product:  # a simple product: the variant is the product itself
                return {"product_id": int(product)}
            return {"product_id": int(product), "variation_id": int(variant)}
        if sku.startswith("woo-product-") and sku[12:].isdigit():
            return {"product_id": int(sku[12:])}
        found, _headers = self.client().call("GET", "/products", params={"sku": sku})
        matches = [p for p in found or [] if p.get("sku") == sku]
        if len(matches) != 1:
            raise PlatformError(f"WooCommerce has {len(matches) or 'no'} products with SKU "
                                f"{sku!r}.", permanent=True)
        item = matches[0]
        if item.get("parent_id"):
            return {"product_id": int(item["parent_id"]), "variation_id": int(item["id"])}
        return {"product_id": int(item["id"])}

    def push_return(self, return_request: Return) -> str:
        lines = ", ".join(f"{rl.quantity} × {rl.line.title}"
                          for rl in return_request.lines.select_related("line"))
        note, _headers = self.client().call(
            "POST", f"/orders/{return_request.order.external_id}/notes",
            body={"note": f"Return {return_request.rma_number} authorised in Storedesk: "
                          f"{lines}. Reason: {return_request.reason[:300]}",
                  "customer_note": False})
        return f"note-{(note or {}).get('id', '')}"


def _money(value: Any) -> Decimal:
    return Decimal(str(value or "0"))


def _gmt(value: Any) -> datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) and value else None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # *_gmt fields are UTC without an offset
    return parsed


def _stock(data: dict[str, Any]) -> int:
    """Units to sell: `stock_quantity` when WooCommerce manages the stock (a variation may
    leave it to its product: `manage_stock: "parent"`, the quantity then being the product's);
    otherwise only the status is known, and "instock" counts as one (enough to say it can be
    bought)."""
    if data.get("manage_stock") in (True, "parent") and data.get("stock_quantity") is not None:
        return max(int(data["stock_quantity"]), 0)
    return 1 if data.get("stock_status") == "instock" else 0


def _variations(client: WooClient, product: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A variable product's variations (`GET /products/{id}/variations`, paged); None for
    any other type."""
    if product.get("type") != "variable" or not str(product.get("id") or "").isdigit():
        return None
    return [v for items in client.pages(f"/products/{product['id']}/variations") for v in items]


def parse_variation(data: dict[str, Any], *, parent_sku: str, category: str) -> VariantData:
    """A variation (`GET /products/{id}/variations` item) as a variant: its own SKU (a
    variation without one shows its product's, so it is keyed by its id instead), price, stock
    and attributes as option values ({"name": "Size", "option": "L"} -> Size: L). A disabled
    variation (status "private") cannot be bought."""
    if not data.get("id"):
        raise PlatformError("The variation has no id.", permanent=True)
    sku = str(data.get("sku") or "").strip()
    if not sku or sku == parent_sku:
        sku = f"woo-variation-{data['id']}"
    options = tuple((str(a.get("name") or ""), str(a.get("option") or ""))
                    for a in data.get("attributes") or []
                    if isinstance(a, dict) and a.get("name") and a.get("option"))
    title = " / ".join(value for _name, value in options) or f"#{data['id']}"
    return VariantData(sku=sku, price=_money(data.get("price")), title=title,
                       category=category, external_id=str(data["id"]), options=options,
                       inventory=0 if data.get("status") == "private" else _stock(data))


def parse_product(data: dict[str, Any], *, with_updated_at: bool = True,
                  variations: list[dict[str, Any]] | None = None,
                  variable_as_one: bool = False) -> ProductData:
    """A WooCommerce REST API v3 product (webhook body or `GET /products` item), normalised.

    A simple product is one variant keyed by its SKU, or by the product id when it has none.
    A variable product's variants are its `variations` when given (all of them: the others it
    had here can no longer be bought, and its last change is the latest of theirs and its
    own); without them (a webhook body) only the product's own fields are applied, unless
    `variable_as_one` (a store without a REST API key): then it is one variant with its own
    stock status. A product not published (draft, pending, private, trash) is inactive."""
    if not data.get("id") or not str(data.get("name") or "").strip():
        raise PlatformError("The product has no id or name.", permanent=True)
    category = ((data.get("categories") or [{}])[0] or {}).get("slug") or ""
    own_sku = str(data.get("sku") or "").strip()
    updated_at = _gmt(data.get("date_modified_gmt")) if with_updated_at else None
    active = (data.get("status") or "publish") == "publish"
    if data.get("type") == "variable" and not (variable_as_one and variations is None):
        if variations is None:
            return ProductData(external_id=str(data["id"]), title=str(data["name"]),
                               category=category, updated_at=updated_at, active=active)
        stamps = [d for d in (_gmt(v.get("date_modified_gmt")) for v in variations) if d]
        if updated_at is not None and stamps:
            updated_at = max([updated_at, *stamps])
        return ProductData(
            external_id=str(data["id"]), title=str(data["name"]), category=category,
            variants=tuple(parse_variation(v, parent_sku=own_sku, category=category)
                           for v in variations),
            updated_at=updated_at, active=active, all_variants=True)
    sku = own_sku or f"woo-product-{data['id']}"
    return ProductData(
        external_id=str(data["id"]), title=str(data["name"]), category=category,
        variants=(VariantData(sku=sku, price=_money(data.get("price")),
                              title=str(data["name"]), category=category,
                              inventory=_stock(data), external_id=str(data["id"])),),
        updated_at=updated_at, active=active,
    )


def parse_order(data: dict[str, Any], currency: str) -> OrderData:
    """A WooCommerce REST API v3 order (webhook body), normalised."""
    billing = data.get("billing") or {}
    shipping = data.get("shipping") or {}
    name = " ".join(p for p in (billing.get("first_name"), billing.get("last_name")) if p)
    email = billing.get("email") or ""
    status, financial, fulfillment = STATUSES.get(data.get("status") or "", STATUSES["pending"])
    placed = _gmt(data.get("date_created_gmt")) or _gmt(data.get("date_created"))
    if placed is None:
        raise PlatformError("The order has no date_created_gmt.", permanent=True)
    customer_id = str(data.get("customer_id") or "") or email
    return OrderData(
        external_id=str(data["id"]), number=str(data.get("number") or data["id"]),
        placed_at=placed, currency=data.get("currency") or currency,
        customer=CustomerData(external_id=customer_id if customer_id != "0" else email,
                              email=email, name=name, phone=billing.get("phone") or "")
        if email or customer_id not in ("", "0") else None,
        lines=tuple(LineData(sku=li.get("sku") or "", title=li.get("name") or "",
                             quantity=int(li.get("quantity") or 1),
                             price=_money(li.get("price")), external_id=str(li.get("id", "")))
                    for li in data.get("line_items") or []),
        shipping_address={
            "name": " ".join(p for p in (shipping.get("first_name"), shipping.get("last_name"))
                             if p),
            **{k: str(shipping[src]) for k, src in (
                ("company", "company"), ("address1", "address_1"), ("address2", "address_2"),
                ("city", "city"), ("province", "state"), ("zip", "postcode"),
                ("country", "country")) if shipping.get(src)},
        } if shipping else {},
        status=status, financial_status=financial, fulfillment_status=fulfillment,
        shipping_total=_money(data.get("shipping_total")), tax_total=_money(data.get("total_tax")),
        discount_total=_money(data.get("discount_total")), total=_money(data.get("total")),
        notes=data.get("customer_note") or "",
    )
