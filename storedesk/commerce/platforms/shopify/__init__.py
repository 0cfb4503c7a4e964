"""Shopify: webhooks verified with `X-Shopify-Hmac-SHA256` (base64 HMAC-SHA256 of the raw body
under the app's secret), deduplicated by `X-Shopify-Event-Id`, and the mandatory privacy
webhooks (`customers/data_request`, `customers/redact`, `shop/redact`) honoured; order actions
pushed and orders reconciled through the Admin GraphQL API (`client.py`, `graphql.py`).

Store config: {"shop_domain": "example.myshopify.com", "access_token": <sealed>,
"webhook_secret": <sealed>} (secrets sealed by `commerce.credentials`). "api_base" (e.g.
"http://127.0.0.1:8123") replaces "https://{shop_domain}" for tests and is never set by the UI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_date, parse_datetime

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
    ShipmentData,
    StorePlatform,
    VariantData,
    WebhookEvent,
    known_line_ids,
)
from storedesk.commerce.platforms.shopify import graphql
from storedesk.commerce.platforms.shopify.client import ShopifyClient, gid, legacy_id
from storedesk.core.oncommit import enqueue_on_commit

if TYPE_CHECKING:
    from storedesk.commerce.models import Order, OrderEdit, Refund, Return

ORDER_TOPICS = frozenset({
    "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
    "orders/partially_fulfilled",
})
PRIVACY_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})
# Catalog and stock: a product payload carries every variant's stock (`inventory_quantity`,
# the total over locations); an inventory level names one location's count for one inventory
# item, so the product's totals are read back from the Admin API (commerce.tasks).
PRODUCT_TOPICS = frozenset({"products/create", "products/update"})
PRODUCT_DELETE_TOPICS = frozenset({"products/delete"})  # the body is {"id": ...}
INVENTORY_TOPICS = frozenset({"inventory_levels/update"})
SHIPMENT_STATUS = {
    "in_transit": "in_transit", "out_for_delivery": "out_for_delivery",
    "delivered": "delivered", "failure": "failed", "attempted_delivery": "in_transit",
    "ready_for_pickup": "out_for_delivery", "confirmed": "pending", "label_printed": "pending",
}
FINANCIAL = {"pending": "pending", "authorized": "pending", "paid": "paid",
             "partially_paid": "paid", "partially_refunded": "partially_refunded",
             "refunded": "refunded", "voided": "voided"}


class ShopifyPlatform(StorePlatform):
    name = "shopify"

    def verify_webhook(self, headers: dict[str, str], body: bytes) -> WebhookEvent:
        signatures.verify(credentials.credential(self.store.config, "webhook_secret"), body,
                          headers.get("x-shopify-hmac-sha256"))
        domain = str(self.store.config.get("shop_domain", ""))
        if domain and headers.get("x-shopify-shop-domain", "") != domain:
            raise PlatformError("The webhook is for another shop.", permanent=True)
        event_id = headers.get("x-shopify-event-id") or headers.get("x-shopify-webhook-id")
        if not event_id:
            raise PlatformError("The webhook has no X-Shopify-Event-Id.", permanent=True)
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise PlatformError("The webhook body is not a JSON object.", permanent=True)
        return WebhookEvent(event_id=event_id, topic=headers.get("x-shopify-topic", ""),
                            payload=payload)

    def apply_webhook(self, event: WebhookEvent) -> str:
        from storedesk.commerce import tasks
        from storedesk.commerce.actions import (
            deactivate_product,
            privacy,
            upsert_order,
            upsert_product,
        )

        if event.topic in ORDER_TOPICS:
            order = upsert_order(self.store, parse_order(event.payload, self.store.currency))
            return f"order {order.number} synced"
        if event.topic in PRODUCT_TOPICS:
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
        if event.topic in INVENTORY_TOPICS:
            item = str(event.payload.get("inventory_item_id") or "")
            if not item.isdigit():
                raise PlatformError("The inventory level has no inventory_item_id.",
                                    permanent=True)
            # Network after commit, not in this transaction: a task reads the product back.
            enqueue_on_commit(tasks.refresh_inventory, self.store.pk, item)
            return f"inventory item {item}: stock refresh queued"
        if event.topic == "customers/data_request":
            return privacy.customer_data_request(self.store, _customer_keys(event.payload),
                                                 _order_ids(event.payload))
        if event.topic == "customers/redact":
            return privacy.redact_customer(self.store, _customer_keys(event.payload),
                                           _order_ids(event.payload))
        if event.topic == "shop/redact":
            return privacy.redact_store(self.store)
        return f"ignored topic {event.topic!r}"

    # --- Admin GraphQL API ------------------------------------------------------------------

    def client(self) -> ShopifyClient:
        config = self.store.config or {}
        return ShopifyClient(str(config.get("shop_domain", "")),
                             credentials.credential(config, "access_token"),
                             api_base=str(config.get("api_base", "")))

    def test_connection(self) -> str:
        shop = self.client().execute(graphql.SHOP).get("shop") or {}
        return str(shop.get("name") or shop.get("myshopifyDomain") or "")

    def order_pages(self, since: datetime | None) -> Iterator[OrderPage]:
        search = f"updated_at:>='{since.isoformat()}'" if since is not None else None
        for nodes, _cursor in self.client().pages(graphql.ORDERS, "orders", {"query": search}):
            orders = tuple(parse_order(to_rest_order(n), self.store.currency) for n in nodes)
            stamps = [d for d in (_when(n.get("updatedAt")) for n in nodes) if d is not None]
            yield OrderPage(orders=orders, watermark=max(stamps) if stamps else None)

    def fetch_order(self, external_id: str) -> OrderData:
        node = self.client().execute(graphql.ORDER, {"id": gid("Order", external_id)}).get(
            "order")
        if not node:
            raise PlatformError(f"Shopify has no order {external_id}.", permanent=True)
        return parse_order(to_rest_order(node), self.store.currency)

    def customers(self) -> Iterator[CustomerData]:
        for nodes, _cursor in self.client().pages(graphql.CUSTOMERS, "customers"):
            for n in nodes:
                yield CustomerData(
                    external_id=str(n.get("legacyResourceId") or ""),
                    email=n.get("email") or "", phone=n.get("phone") or "",
                    name=" ".join(p for p in (n.get("firstName"), n.get("lastName")) if p))

    def products(self) -> Iterator[ProductData]:
        for nodes, _cursor in self.client().pages(graphql.PRODUCTS, "products"):
            for n in nodes:
                yield product_from_node(n, with_updated_at=False)

    def product_pages(self, since: datetime | None) -> Iterator[ProductPage]:
        """Products updated since `since` (a search on `updated_at`, sorted by it), with every
        variant's stock total; archived and draft ones come back inactive. A deleted product
        is not listed: the `products/delete` webhook deactivates it."""
        search = f"updated_at:>='{since.isoformat()}'" if since is not None else None
        for nodes, _cursor in self.client().pages(graphql.PRODUCTS_CHANGED, "products",
                                                  {"query": search}):
            products = tuple(product_from_node(n, with_updated_at=True) for n in nodes)
            stamps = [d for d in (_when(n.get("updatedAt")) for n in nodes) if d is not None]
            yield ProductPage(products=products, watermark=max(stamps) if stamps else None)

    def product_of_inventory_item(self, inventory_item_id: str) -> ProductData:
        """The product an inventory item stocks, with every variant's current total."""
        item = self.client().execute(
            graphql.INVENTORY_ITEM_PRODUCT,
            {"id": gid("InventoryItem", inventory_item_id)}).get("inventoryItem")
        product = ((item or {}).get("variant") or {}).get("product")
        if not product:
            raise PlatformError(f"Shopify has no inventory item {inventory_item_id}.",
                                permanent=True)
        return product_from_node(product, with_updated_at=True)

    def push_refund(self, refund: Refund) -> str:
        """`refundCreate` against the order's successful sale or capture, under the
        ``@idempotent`` directive (mandatory since 2026-04) with the refund's idempotency key;
        the note carries the key too, so a retry after Shopify's key retention finds the
        refund it already made."""
        client = self.client()
        order_id = gid("Order", refund.order.external_id)
        marker = f"[storedesk:{refund.idempotency_key}]"
        context = client.execute(graphql.REFUND_CONTEXT, {"id": order_id}).get("order")
        if not context:
            raise PlatformError(f"Shopify has no order {refund.order.external_id}.",
                                permanent=True)
        for existing in context.get("refunds") or []:
            if marker in (existing.get("note") or ""):
                return legacy_id(str(existing["id"]))
        parent = next((t for t in context.get("transactions") or []
                       if t.get("kind") in ("SALE", "CAPTURE") and t.get("status") == "SUCCESS"),
                      None)
        if parent is None:
            raise PlatformError("The order has no successful payment to refund.", permanent=True)
        lines = {line.pk: line for line in refund.order.lines.all()}
        refund_lines = []
        for item in refund.lines or []:
            line = lines.get(int(item.get("line_id", 0)))
            if line is None or not line.external_id:
                raise PlatformError("A refunded line is not a Shopify line item.",
                                    permanent=True)
            refund_lines.append({"lineItemId": gid("LineItem", line.external_id),
                                 "quantity": int(item["quantity"]),
                                 "restockType": "RETURN" if refund.restock else "NO_RESTOCK"})
        note = f"{refund.reason[:400]} {marker}".strip()
        result = client.mutate(graphql.REFUND_CREATE, {"input": {
            "orderId": order_id, "note": note, "notify": False,
            "refundLineItems": refund_lines,
            "transactions": [{"orderId": order_id, "parentId": parent["id"],
                              "gateway": parent.get("gateway") or "", "kind": "REFUND",
                              "amount": f"{refund.amount:.2f}"}],
        }, "idempotencyKey": f"storedesk-refund-{refund.account_id}-{refund.idempotency_key}"},
            "refundCreate")
        created = result.get("refund") or {}
        return legacy_id(str(created.get("id", "")))

    def push_cancel(self, order: Order, reason: str) -> None:
        """`orderCancel` without a refund (Storedesk refunds a paid order itself, through
        `push_refund`), restocking; an order Shopify already cancelled is left alone."""
        client = self.client()
        order_id = gid("Order", order.external_id)
        state = client.execute(graphql.ORDER_STATE, {"id": order_id}).get("order")
        if not state:
            raise PlatformError(f"Shopify has no order {order.external_id}.", permanent=True)
        if state.get("cancelledAt"):
            return
        client.mutate(graphql.ORDER_CANCEL, {
            "orderId": order_id, "reason": "CUSTOMER", "restock": True, "notifyCustomer": False,
            "refundMethod": {"originalPaymentMethodsRefund": False},
            "staffNote": (reason or "Cancelled from Storedesk")[:255],
        }, "orderCancel", errors_key="orderCancelUserErrors")

    def push_address(self, order: Order) -> None:
        """`orderUpdate` with the order's shipping address (countries as ISO codes)."""
        self.client().mutate(graphql.ORDER_UPDATE, {"input": {
            "id": gid("Order", order.external_id),
            "shippingAddress": mailing_address(order.shipping_address or {}),
        }}, "orderUpdate")

    def push_line_edits(self, edit: OrderEdit) -> None:
        """The documented order-editing flow: `orderEditBegin`, then per changed line
        `orderEditSetQuantity` (0 removes it; a swap removes the old variant) and
        `orderEditAddVariant` (the new variant), then `orderEditCommit` without notifying the
        shopper. A retry after a commit that went through finds the order already as wanted
        (the old line at its new quantity, the new variant on it) and commits nothing."""
        client = self.client()
        order_id = gid("Order", edit.order.external_id)
        begun = client.mutate(graphql.ORDER_EDIT_BEGIN, {"id": order_id}, "orderEditBegin")
        calculated = begun.get("calculatedOrder") or {}
        calculated_id = str(calculated.get("id") or "")
        if not calculated_id:
            raise PlatformError("Shopify began no order edit.", permanent=False)
        nodes = list((calculated.get("lineItems") or {}).get("nodes") or [])
        known = known_line_ids(edit)
        added = {str(n.get("sku") or "") for n in nodes
                 if legacy_id(str(n.get("id", ""))) not in known and int(n.get("quantity") or 0)}
        staged = False
        for change in edit.changes:
            line = _calculated_line(nodes, str(change.get("external_id") or ""),
                                    str(change.get("sku") or ""))
            swapped = change.get("new_sku") != change.get("sku")
            target = 0 if swapped else int(change["new_quantity"])
            if line is None:
                raise PlatformError(f"{change.get('title')!r} is not on the Shopify order.",
                                    permanent=True)
            if int(line.get("quantity") or 0) != target:
                client.mutate(graphql.ORDER_EDIT_SET_QUANTITY, {
                    "id": calculated_id, "lineItemId": line["id"], "quantity": target,
                    "restock": True}, "orderEditSetQuantity")
                staged = True
            if swapped and int(change["new_quantity"]) > 0:
                new_sku = str(change["new_sku"])
                if new_sku in added:
                    continue  # added by an earlier push that went through
                variant_id = str(change.get("new_variant_external_id") or "")
                client.mutate(graphql.ORDER_EDIT_ADD_VARIANT, {
                    "id": calculated_id,
                    "variantId": gid("ProductVariant", variant_id) if variant_id.isdigit()
                    else self._variant_gid(new_sku),
                    "quantity": int(change["new_quantity"])}, "orderEditAddVariant")
                staged = True
        if staged:
            client.mutate(graphql.ORDER_EDIT_COMMIT, {
                "id": calculated_id,
                "staffNote": f"Items changed from Storedesk [storedesk:{edit.idempotency_key}]",
            }, "orderEditCommit")

    def _variant_gid(self, sku: str) -> str:
        prefix = "shopify-variant-"
        if sku.startswith(prefix):
            return gid("ProductVariant", sku[len(prefix):])
        found = self.client().execute(graphql.VARIANT_BY_SKU, {"query": f"sku:{json.dumps(sku)}"})
        nodes = [n for n in (found.get("productVariants") or {}).get("nodes") or []
                 if n.get("sku") == sku]
        if len(nodes) != 1:
            raise PlatformError(f"Shopify has {len(nodes) or 'no'} variants with SKU {sku!r}.",
                                permanent=True)
        return str(nodes[0]["id"])

    def push_return(self, return_request: Return) -> str:
        """`returnCreate` for the returned lines, matched to their fulfillment line items."""
        client = self.client()
        order = return_request.order
        order_id = gid("Order", order.external_id)
        context = client.execute(graphql.RETURN_CONTEXT, {"id": order_id}).get("order")
        if not context:
            raise PlatformError(f"Shopify has no order {order.external_id}.", permanent=True)
        by_line: dict[str, str] = {}
        for fulfillment in context.get("fulfillments") or []:
            for item in (fulfillment.get("fulfillmentLineItems") or {}).get("nodes") or []:
                line_gid = str((item.get("lineItem") or {}).get("id", ""))
                by_line.setdefault(legacy_id(line_gid), str(item["id"]))
        items = []
        for rl in return_request.lines.select_related("line"):
            fulfillment_line = by_line.get(rl.line.external_id)
            if fulfillment_line is None:
                raise PlatformError(f"{rl.line.title!r} was not fulfilled on Shopify: it cannot "
                                    "be returned there.", permanent=True)
            items.append({"fulfillmentLineItemId": fulfillment_line, "quantity": rl.quantity,
                          "returnReason": "OTHER",
                          "returnReasonNote": return_request.reason[:255]})
        result = client.mutate(graphql.RETURN_CREATE, {"returnInput": {
            "orderId": order_id, "returnLineItems": items, "notifyCustomer": False,
        }}, "returnCreate")
        return legacy_id(str((result.get("return") or {}).get("id", "")))


def _calculated_line(nodes: list[dict[str, Any]], external_id: str,
                     sku: str) -> dict[str, Any] | None:
    """The calculated line item of an order line: the same numeric id as its line item, or
    (a line Storedesk has no Shopify id for) the only one with its SKU."""
    for node in nodes:
        if external_id and legacy_id(str(node.get("id", ""))) == external_id:
            return node
    same = [n for n in nodes if sku and n.get("sku") == sku]
    return same[0] if len(same) == 1 else None


def mailing_address(address: dict[str, Any]) -> dict[str, Any]:
    """Storedesk's address as Shopify's MailingAddressInput (two-letter country code)."""
    country = str(address.get("country", "")).strip()
    if len(country) != 2 or not country.isalpha():
        raise PlatformError("Shopify needs the country as a two-letter code (e.g. US, PL).",
                            permanent=True)
    first, _, last = str(address.get("name", "")).strip().partition(" ")
    out = {"firstName": first, "lastName": last, "address1": address.get("address1", ""),
           "address2": address.get("address2", ""), "city": address.get("city", ""),
           "zip": address.get("zip", ""), "countryCode": country.upper(),
           "company": address.get("company", ""), "phone": address.get("phone", "")}
    province = str(address.get("province", "")).strip()
    if province:
        out["provinceCode"] = province
    return {k: v for k, v in out.items() if v}


def _amount(money_set: Any) -> str:
    return str(((money_set or {}).get("shopMoney") or {}).get("amount") or "0")


def to_rest_order(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL Order node in the shape of the REST/webhook order `parse_order` reads."""
    customer = node.get("customer") or None
    fulfillment = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(
        node.get("displayFulfillmentStatus") or "")
    return {
        "id": node.get("legacyResourceId") or legacy_id(str(node.get("id", ""))),
        "name": node.get("name"), "email": node.get("email"), "note": node.get("note"),
        "created_at": node.get("createdAt"), "updated_at": node.get("updatedAt"),
        "cancelled_at": node.get("cancelledAt"), "closed_at": node.get("closedAt"),
        "currency": node.get("currencyCode"),
        "financial_status": str(node.get("displayFinancialStatus") or "").lower(),
        "fulfillment_status": fulfillment,
        "customer": {"id": customer.get("legacyResourceId"), "email": customer.get("email"),
                     "first_name": customer.get("firstName"),
                     "last_name": customer.get("lastName"),
                     "phone": customer.get("phone")} if customer else None,
        "shipping_address": node.get("shippingAddress") or {},
        "subtotal_price": _amount(node.get("subtotalPriceSet")),
        "total_price": _amount(node.get("totalPriceSet")),
        "total_tax": _amount(node.get("totalTaxSet")),
        "total_discounts": _amount(node.get("totalDiscountsSet")),
        "shipping_lines": [{"price": _amount(node.get("totalShippingPriceSet"))}],
        "line_items": [
            {"id": legacy_id(str(li.get("id", ""))), "sku": li.get("sku"),
             "title": li.get("title"), "quantity": li.get("quantity"),
             "current_quantity": li.get("currentQuantity"),
             "price": _amount(li.get("originalUnitPriceSet"))}
            for li in (node.get("lineItems") or {}).get("nodes") or []
        ],
        "refunds": [
            {"refund_line_items": [
                {"line_item_id": legacy_id(str((item.get("lineItem") or {}).get("id", ""))),
                 "quantity": item.get("quantity")}
                for item in (r.get("refundLineItems") or {}).get("nodes") or []]}
            for r in node.get("refunds") or []
        ],
        "fulfillments": [
            {"id": legacy_id(str(f.get("id", ""))),
             "tracking_company": (f.get("trackingInfo") or [{}])[0].get("company"),
             "tracking_number": (f.get("trackingInfo") or [{}])[0].get("number"),
             "tracking_url": (f.get("trackingInfo") or [{}])[0].get("url"),
             "shipment_status": str(f.get("displayStatus") or "").lower() or None,
             "created_at": f.get("createdAt"), "updated_at": f.get("updatedAt"),
             "delivered_at": f.get("deliveredAt"),
             "estimated_delivery_at": f.get("estimatedDeliveryAt")}
            for f in node.get("fulfillments") or []
        ],
    }


def variant_sku(sku: Any, variant_id: Any) -> str:
    """A variant's key in Storedesk: its SKU, or its Shopify id when it has none (Shopify does
    not require SKUs; the documented sample product has none)."""
    return str(sku or "").strip() or (f"shopify-variant-{variant_id}" if variant_id else "")


def parse_product(data: dict[str, Any]) -> ProductData:
    """A Shopify product webhook body (`products/create`, `products/update`), normalised."""
    if not data.get("id") or not str(data.get("title") or "").strip():
        raise PlatformError("The product has no id or title.", permanent=True)
    category = data.get("product_type") or ""
    names = [str(o.get("name") or "") for o in data.get("options") or [] if isinstance(o, dict)]
    variants = []
    for v in data.get("variants") or []:
        sku = variant_sku(v.get("sku"), v.get("id"))
        if sku:
            values = [v.get(f"option{n}") for n in (1, 2, 3)]
            variants.append(VariantData(
                sku=sku, price=_money(v.get("price")), title=v.get("title") or "",
                inventory=int(v.get("inventory_quantity") or 0), category=category,
                external_id=str(v.get("id") or ""),
                options=tuple((name, str(value)) for name, value in zip(names, values,
                                                                        strict=False)
                              if name and value)))
    return ProductData(external_id=str(data["id"]), title=str(data["title"]),
                       category=category, variants=tuple(variants),
                       updated_at=_when(data.get("updated_at")),
                       active=str(data.get("status") or "active").lower() == "active")


def product_from_node(node: dict[str, Any], *, with_updated_at: bool) -> ProductData:
    """A GraphQL Product node (with its variants), normalised like `parse_product`."""
    category = node.get("productType") or ""
    variants = []
    for v in (node.get("variants") or {}).get("nodes") or []:
        sku = variant_sku(v.get("sku"), v.get("legacyResourceId"))
        if sku:
            variants.append(VariantData(
                sku=sku, price=_money(v.get("price")), title=v.get("title") or "",
                inventory=int(v.get("inventoryQuantity") or 0), category=category,
                external_id=str(v.get("legacyResourceId") or ""),
                options=tuple((str(o.get("name") or ""), str(o.get("value") or ""))
                              for o in v.get("selectedOptions") or []
                              if o.get("name") and o.get("value"))))
    return ProductData(
        external_id=str(node.get("legacyResourceId") or ""), title=node.get("title") or "",
        category=category, variants=tuple(variants),
        updated_at=_when(node.get("updatedAt")) if with_updated_at else None,
        active=str(node.get("status") or "ACTIVE").upper() == "ACTIVE")


def _customer_keys(payload: dict[str, Any]) -> tuple[str, str]:
    customer = payload.get("customer") or {}
    return str(customer.get("id", "")), str(customer.get("email", ""))


def _order_ids(payload: dict[str, Any]) -> list[str]:
    ids = payload.get("orders_to_redact") or payload.get("orders_requested") or []
    return [str(i) for i in ids]


def _ordered_lines(data: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """Each line item with its quantity as ordered after order edits: `current_quantity` (what
    edits and refunds left) plus what was refunded of it (Storedesk counts refunds on the line
    itself), never above `quantity`; a line an edit removed (0) is left out. Without
    `current_quantity` (older payloads), `quantity`."""
    refunded: dict[str, int] = {}
    for refund in data.get("refunds") or []:
        for item in refund.get("refund_line_items") or []:
            key = str(item.get("line_item_id", ""))
            refunded[key] = refunded.get(key, 0) + int(item.get("quantity") or 0)
    lines = []
    for li in data.get("line_items") or []:
        ordered = int(li.get("quantity") or 1)
        current = li.get("current_quantity")
        if current is not None:
            ordered = min(ordered, int(current) + refunded.get(str(li.get("id", "")), 0))
        if ordered > 0:
            lines.append((li, ordered))
    return lines


def _money(value: Any) -> Decimal:
    return Decimal(str(value or "0"))


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _day(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return None
    moment = parse_datetime(value)
    return moment.date() if moment is not None else parse_date(value)


def parse_order(data: dict[str, Any], currency: str) -> OrderData:
    """A Shopify Admin API order (webhook body or REST/GraphQL-mapped JSON), normalised."""
    customer = data.get("customer") or {}
    name = " ".join(p for p in (customer.get("first_name"), customer.get("last_name")) if p)
    email = customer.get("email") or data.get("email") or ""
    address = data.get("shipping_address") or {}
    shipments = []
    for f in data.get("fulfillments") or []:
        delivered = f.get("shipment_status") == "delivered"
        shipments.append(ShipmentData(
            external_id=str(f.get("id", "")), carrier=f.get("tracking_company") or "",
            tracking_number=f.get("tracking_number") or "",
            tracking_url=f.get("tracking_url") or "",
            status=SHIPMENT_STATUS.get(f.get("shipment_status") or "", "in_transit"),
            shipped_at=_when(f.get("created_at")),
            delivered_at=(_when(f.get("delivered_at")) or _when(f.get("updated_at")))
            if delivered else None,
            estimated_delivery=_day(f.get("estimated_delivery_at")),
        ))
    fulfillment = {"fulfilled": "fulfilled", "partial": "partial"}.get(
        data.get("fulfillment_status") or "", "unfulfilled")
    placed = _when(data.get("created_at"))
    if placed is None:
        raise PlatformError("The order has no created_at.", permanent=True)
    return OrderData(
        external_id=str(data["id"]), number=str(data.get("order_number") or data.get("name")),
        placed_at=placed, currency=data.get("currency") or currency,
        customer=CustomerData(external_id=str(customer.get("id") or email), email=email,
                              name=name, phone=customer.get("phone") or "") if (
            customer or email) else None,
        lines=tuple(LineData(sku=li.get("sku") or "",
                             title=str(li.get("title") or li.get("name") or ""),
                             quantity=quantity, price=_money(li.get("price")),
                             external_id=str(li.get("id", "")))
                    for li, quantity in _ordered_lines(data)),
        shipments=tuple(shipments),
        shipping_address={k: str(address[k]) for k in (
            "name", "company", "address1", "address2", "city", "province", "zip", "country",
            "phone") if address.get(k)},
        status="cancelled" if data.get("cancelled_at") else (
            "closed" if data.get("closed_at") else "open"),
        financial_status=FINANCIAL.get(data.get("financial_status") or "", "paid"),
        fulfillment_status=fulfillment,
        subtotal=_money(data.get("subtotal_price")),
        shipping_total=sum((_money(s.get("price")) for s in data.get("shipping_lines") or []),
                           Decimal("0")),
        tax_total=_money(data.get("total_tax")), discount_total=_money(data.get("total_discounts")),
        total=_money(data.get("total_price")), notes=data.get("note") or "",
        cancelled_at=_when(data.get("cancelled_at")),
    )
