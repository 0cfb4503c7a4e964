"""The demo store's catalog, policy, shipping rates and the shoppers' orders (as plain data),
loaded through the same commerce actions the REST API uses. Orders already there are skipped.

Every scenario shopper with an email gets orders: the ones their conversation talks about
(LL-10421 on its way with DPD, LL-10577 the torn throw, LL-10602 still unfulfilled so it can be
cancelled, LL-10588 waiting for an address change, LL-10614 with pyjamas whose size can be
swapped) and a delivered one inside the 30-day return
window, so the whole "see the order, start a return, refund, ask for approval" path works.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from storedesk.commerce.actions import set_policy, set_shipping_rate, upsert_order, upsert_product
from storedesk.commerce.models import Order, Store
from storedesk.commerce.platforms.base import (
    CustomerData,
    LineData,
    OrderData,
    ProductData,
    ShipmentData,
    VariantData,
)

# (product id, title, category, [(sku, variant title, price, returnable)])
CATALOG: list[tuple[str, str, str, list[tuple[str, str, str, bool]]]] = [
    ("duvet-sage", "Sage linen duvet set", "bedding",
     [("LL-DUV-SAGE-D", "Double", "149.00", True), ("LL-DUV-SAGE-K", "King", "179.00", True)]),
    ("throw-herringbone", "Herringbone wool throw", "throws",
     [("LL-THR-HB", "130 x 170 cm", "89.00", True)]),
    ("towels-waffle", "Waffle cotton towel set", "bath",
     [("LL-TWL-WAF", "Set of 4", "42.00", True)]),
    ("pillowcase-linen", "Linen pillowcase pair", "bedding",
     [("LL-PIL-LIN", "50 x 75 cm", "34.00", True)]),
    ("candle-cedar", "Cedar soy candle", "fragrance",
     [("LL-CND-CED", "220 g", "24.00", True)]),
    ("gift-card", "Gift card", "gift-cards", [("LL-GIFT-50", "EUR 50", "50.00", False)]),
    # Sizes to swap on an unshipped order (the orders panel's "Edit items", the assistant).
    ("pyjamas-flannel", "Flannel pyjamas", "sleepwear",
     [("LL-PYJ-S", "S", "69.00", True), ("LL-PYJ-M", "M", "69.00", True),
      ("LL-PYJ-L", "L", "69.00", True), ("LL-PYJ-XL", "XL", "75.00", True)]),
]
PRICES = {sku: Decimal(price) for _p, _t, _c, vs in CATALOG for sku, _v, price, _r in vs}
TITLES = {sku: title for _p, title, _c, vs in CATALOG for sku, _v, _pr, _r in vs}

POLICY: dict[str, Any] = {
    "return_window_days": 30,
    "non_returnable_categories": ["gift-cards"],
    "return_condition": "Unused, unwashed, in the original packaging",
    "return_instructions": "Pack the items in their original packaging, print the prepaid label "
                           "from the link in your email, and drop the parcel at any DPD point. "
                           "Your refund follows within 5 days of the parcel reaching us.",
    "refund_limits": {"agent": "50", "light_agent": "0"},
    "free_shipping_threshold": Decimal("120"),
}
# (method, country, cost, min days, max days)
SHIPPING = [
    ("Standard", "DE", "4.90", 2, 3), ("Express", "DE", "9.90", 1, 1),
    ("Standard", "PL", "7.90", 3, 5), ("Standard", "TR", "14.90", 5, 8),
    ("Standard", "ID", "19.90", 7, 12), ("Standard", "TH", "19.90", 7, 12),
    ("Standard", "CA", "14.90", 6, 10), ("Standard", "*", "12.90", 5, 10),
]

# Orders the scenarios talk about: number -> (email, lines, days ago placed, shipment state)
# shipment state: "delivered:<days ago>", "in_transit", "unfulfilled"
SCENARIO_ORDERS: dict[str, tuple[str, list[tuple[str, int]], int, str]] = {
    "LL-10421": ("maya.chen@example.net", [("LL-DUV-SAGE-D", 1)], 8, "in_transit"),
    "LL-10236": ("maya.chen@example.net",
                 [("LL-TWL-WAF", 1), ("LL-PIL-LIN", 2), ("LL-CND-CED", 1)], 20, "delivered:14"),
    "LL-10577": ("oliver.grant@example.org", [("LL-THR-HB", 1), ("LL-CND-CED", 1)], 6,
                 "delivered:1"),
    "LL-10602": ("daniel.okafor@example.net", [("LL-DUV-SAGE-K", 1)], 0, "unfulfilled"),
    "LL-10588": ("lucy.martin@example.com", [("LL-PIL-LIN", 2), ("LL-TWL-WAF", 1)], 1,
                 "unfulfilled"),
    # Not shipped, with pyjamas in M: a size swap (S, L; XL costs more) can be tried.
    "LL-10614": ("noor.haddad@example.net", [("LL-PYJ-M", 1), ("LL-CND-CED", 1)], 0,
                 "unfulfilled"),
}
COUNTRY_BY_DOMAIN = {".pl": "PL", ".tr": "TR", ".id": "ID", ".th": "TH"}


def load_commerce(store: Store, shopper_emails: list[tuple[str, str]], now: datetime) -> int:
    """Catalog, policy, rates and orders for the demo store; returns how many orders were new."""
    if not store.products.exists():  # first load only: the store's setup is audited once
        _set_up_store(store)
    _add_missing_products(store)  # a demo loaded before a product joined the catalog
    names = dict(shopper_emails)
    orders = dict(SCENARIO_ORDERS)
    rotation = ["LL-TWL-WAF", "LL-THR-HB", "LL-PIL-LIN", "LL-DUV-SAGE-D", "LL-CND-CED"]
    for n, (email, _name) in enumerate(shopper_emails):
        if any(spec[0] == email for spec in SCENARIO_ORDERS.values()):
            continue
        sku = rotation[n % len(rotation)]
        orders[f"LL-10{300 + n * 7}"] = (email, [(sku, 1), ("LL-CND-CED", 1)], 10 + n % 9,
                                         f"delivered:{3 + n % 6}")
    created = 0
    for number, (email, lines, days_ago, shipment) in orders.items():
        if Order.objects.filter(store=store, external_id=number).exists():
            continue
        upsert_order(store, _order(number, email, names.get(email, ""), lines, days_ago,
                                   shipment, now))
        created += 1
    return created


def _add_missing_products(store: Store) -> None:
    known = set(store.products.values_list("external_id", flat=True))
    for product_id, title, category, variants in CATALOG:
        if product_id in known:
            continue
        upsert_product(store, ProductData(
            external_id=product_id, title=title, category=category,
            variants=tuple(VariantData(sku=sku, title=vt, price=Decimal(price), inventory=25,
                                       returnable=returnable)
                           for sku, vt, price, returnable in variants),
        ))


def _set_up_store(store: Store) -> None:
    _add_missing_products(store)
    set_policy(store, **POLICY)
    for method, country, cost, low, high in SHIPPING:
        set_shipping_rate(store, method=method, country=country, cost=Decimal(cost),
                          min_days=low, max_days=high)


def _order(number: str, email: str, name: str, lines: list[tuple[str, int]], days_ago: int,
           shipment: str, now: datetime) -> OrderData:
    placed = now - timedelta(days=days_ago, hours=3)
    subtotal = sum((PRICES[sku] * qty for sku, qty in lines), Decimal("0"))
    shipping = Decimal("0") if subtotal >= POLICY["free_shipping_threshold"] else Decimal("4.90")
    tracking = f"0534{number[-5:]}7781"
    shipments: tuple[ShipmentData, ...] = ()
    if shipment != "unfulfilled":
        delivered = (now - timedelta(days=int(shipment.split(":")[1]))
                     if shipment.startswith("delivered") else None)
        shipments = (ShipmentData(
            carrier="DPD", tracking_number=tracking,
            tracking_url=f"https://tracking.example.com/dpd/{tracking}",
            status="delivered" if delivered else "in_transit",
            shipped_at=placed + timedelta(days=1),
            estimated_delivery=None if delivered else (now + timedelta(days=1)).date(),
            delivered_at=delivered, external_id=f"{number}-F1",
        ),)
    country = next((c for suffix, c in COUNTRY_BY_DOMAIN.items() if email.endswith(suffix)), "DE")
    return OrderData(
        external_id=number, number=number, placed_at=placed, currency="EUR",
        customer=CustomerData(external_id=email, email=email, name=name),
        lines=tuple(LineData(sku=sku, title=TITLES[sku], quantity=qty, price=PRICES[sku])
                    for sku, qty in lines),
        shipments=shipments, shipping_total=shipping,
        shipping_address={"name": name or email, "address1": "Example Street 1",
                          "city": "Example City", "zip": "10115", "country": country},
    )
