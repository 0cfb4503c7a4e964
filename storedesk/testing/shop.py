"""Orders for tests and the demo, written through the same upsert the platforms use."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from storedesk.commerce.actions import upsert_order, upsert_product
from storedesk.commerce.models import Order, Store
from storedesk.commerce.platforms.base import (
    CustomerData,
    LineData,
    OrderData,
    ProductData,
    ShipmentData,
    VariantData,
)

CATALOG = [
    # (product id, title, category, [(sku, price, returnable)])
    ("p-linen", "Linen duvet cover", "bedding", [("LIN-DUV-Q", "89.00", True),
                                                  ("LIN-DUV-K", "99.00", True)]),
    ("p-mug", "Stoneware mug", "kitchen", [("MUG-STN", "14.50", True)]),
    ("p-candle", "Beeswax candle", "candles", [("CND-BEE", "12.00", True)]),
    ("p-gift", "Gift card", "gift-cards", [("GIFT-50", "50.00", False)]),
]


def seed_catalog(store: Store) -> None:
    for external_id, title, category, variants in CATALOG:
        upsert_product(store, ProductData(
            external_id=external_id, title=title, category=category,
            variants=tuple(VariantData(sku=sku, price=Decimal(price), title=title,
                                       inventory=20, returnable=returnable)
                           for sku, price, returnable in variants),
        ))


APPAREL = [
    # (product id, title, category, [(sku, variant title, price, stock)]): options to swap
    ("p-tee", "Organic cotton tee", "apparel", [
        ("TEE-S", "S", "25.00", 8), ("TEE-M", "M", "25.00", 8), ("TEE-L", "L", "25.00", 8),
        ("TEE-XL", "XL", "29.00", 8), ("TEE-XXL", "XXL", "25.00", 0)]),
    ("p-tote", "Canvas tote", "bags", [
        ("TOTE-SAND", "Sand", "18.00", 5), ("TOTE-NAVY", "Navy", "16.00", 5)]),
]


def seed_apparel(store: Store) -> None:
    """Products with several variants (sizes, colours), for item edits."""
    for external_id, title, category, variants in APPAREL:
        upsert_product(store, ProductData(
            external_id=external_id, title=title, category=category,
            variants=tuple(VariantData(sku=sku, price=Decimal(price), title=label,
                                       inventory=stock)
                           for sku, label, price, stock in variants),
        ))


def seed_order(
    store: Store,
    *,
    number: str,
    email: str,
    name: str = "",
    lines: list[tuple[str, str, int, str]] | None = None,
    placed_days_ago: int = 5,
    delivered_days_ago: int | None = 2,
    shipped: bool = True,
    tracking: str = "1Z999AA10123456784",
    **extra: Any,
) -> Order:
    """One paid order for the shopper with this email. `lines`: (sku, title, quantity, price).
    Shipped orders get a carrier shipment with a tracking link; delivered ones a delivery date."""
    now = timezone.now()
    placed = now - timedelta(days=placed_days_ago)
    lines = lines or [("LIN-DUV-Q", "Linen duvet cover", 1, "89.00"),
                      ("MUG-STN", "Stoneware mug", 2, "14.50")]
    shipments: tuple[ShipmentData, ...] = ()
    if shipped:
        delivered = (now - timedelta(days=delivered_days_ago)
                     if delivered_days_ago is not None else None)
        shipments = (ShipmentData(
            carrier="UPS", tracking_number=tracking,
            tracking_url=f"https://tracking.example.com/{tracking}",
            status="delivered" if delivered else "in_transit",
            shipped_at=placed + timedelta(days=1),
            estimated_delivery=(date.today() + timedelta(days=2)) if not delivered else None,
            delivered_at=delivered,
        ),)
    return upsert_order(store, OrderData(
        external_id=f"ext-{number}", number=number, placed_at=placed,
        currency=store.currency, customer=CustomerData(external_id=email, email=email, name=name),
        lines=tuple(LineData(sku=sku, title=title, quantity=qty, price=Decimal(price))
                    for sku, title, qty, price in lines),
        shipments=shipments,
        shipping_address={"name": name or email, "address1": "1 Example Street",
                          "city": "Springfield", "zip": "12345", "country": "US"},
        **extra,
    ))


def placed(days_ago: int) -> datetime:
    return timezone.now() - timedelta(days=days_ago)
