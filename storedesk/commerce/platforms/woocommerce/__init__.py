"""WooCommerce: webhooks verified with `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the raw
body under the webhook's secret), deduplicated by `X-WC-Webhook-Delivery-ID`; order topics are
synced through the same upsert as every other platform.

Store config: {"webhook_secret": "...", "source": "https://shop.example.com"}.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime

from storedesk.commerce.platforms import signatures
from storedesk.commerce.platforms.base import (
    CustomerData,
    LineData,
    OrderData,
    PlatformError,
    StorePlatform,
    WebhookEvent,
)

ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.restored"})
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
        signatures.verify(str(self.store.config.get("webhook_secret", "")), body,
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
        from storedesk.commerce.actions import upsert_order

        if event.topic in ORDER_TOPICS:
            order = upsert_order(self.store, parse_order(event.payload, self.store.currency))
            return f"order {order.number} synced"
        return f"ignored topic {event.topic!r}"


def _money(value: Any) -> Decimal:
    return Decimal(str(value or "0"))


def _gmt(value: Any) -> datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) and value else None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # *_gmt fields are UTC without an offset
    return parsed


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
