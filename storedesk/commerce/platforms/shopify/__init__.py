"""Shopify: webhooks verified with `X-Shopify-Hmac-SHA256` (base64 HMAC-SHA256 of the raw body
under the app's secret), deduplicated by `X-Shopify-Event-Id`, and the mandatory privacy
webhooks (`customers/data_request`, `customers/redact`, `shop/redact`) honoured.

Store config: {"shop_domain": "example.myshopify.com", "webhook_secret": "..."}.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime

from storedesk.commerce.platforms import signatures
from storedesk.commerce.platforms.base import (
    CustomerData,
    LineData,
    OrderData,
    PlatformError,
    ShipmentData,
    StorePlatform,
    WebhookEvent,
)

ORDER_TOPICS = frozenset({
    "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
    "orders/partially_fulfilled",
})
PRIVACY_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})
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
        signatures.verify(str(self.store.config.get("webhook_secret", "")), body,
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
        from storedesk.commerce.actions import privacy, upsert_order

        if event.topic in ORDER_TOPICS:
            order = upsert_order(self.store, parse_order(event.payload, self.store.currency))
            return f"order {order.number} synced"
        if event.topic == "customers/data_request":
            return privacy.customer_data_request(self.store, _customer_keys(event.payload),
                                                 _order_ids(event.payload))
        if event.topic == "customers/redact":
            return privacy.redact_customer(self.store, _customer_keys(event.payload),
                                           _order_ids(event.payload))
        if event.topic == "shop/redact":
            return privacy.redact_store(self.store)
        return f"ignored topic {event.topic!r}"


def _customer_keys(payload: dict[str, Any]) -> tuple[str, str]:
    customer = payload.get("customer") or {}
    return str(customer.get("id", "")), str(customer.get("email", ""))


def _order_ids(payload: dict[str, Any]) -> list[str]:
    ids = payload.get("orders_to_redact") or payload.get("orders_requested") or []
    return [str(i) for i in ids]


def _money(value: Any) -> Decimal:
    return Decimal(str(value or "0"))


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


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
            delivered_at=_when(f.get("updated_at")) if delivered else None,
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
        lines=tuple(LineData(sku=li.get("sku") or "", title=li.get("title") or li.get("name"),
                             quantity=int(li.get("quantity") or 1), price=_money(li.get("price")),
                             external_id=str(li.get("id", "")))
                    for li in data.get("line_items") or []),
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
