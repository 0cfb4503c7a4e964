"""The `custom` platform's REST upserts: the store's system PUTs its orders, products and
customers, keyed by its own ids. Repeating a PUT changes nothing; a newer body updates in place.
Only admins and owners (tokens of their seats) may write store data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Router

from storedesk.accounts.models import Membership
from storedesk.commerce import actions
from storedesk.commerce.models import Store
from storedesk.commerce.platforms.base import (
    CustomerData,
    LineData,
    OrderData,
    ProductData,
    ShipmentData,
    VariantData,
)
from storedesk.commerce.queries import get_store
from storedesk.commerce.schemas import CustomerIn, OrderIn, ProductIn, UpsertOut
from storedesk.core.errors import ActionError, PermissionDenied

router = Router(tags=["commerce: store data"])

ExternalId = Path(..., min_length=1, max_length=100)


def _writable_store(request: HttpRequest, store_id: int) -> Store:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    store = get_store(membership, store_id)
    if not membership.is_admin:
        raise PermissionDenied("Only admins and owners write store data.")
    return store


def order_data(external_id: str, body: OrderIn, store: Store) -> OrderData:
    customer = None
    if body.customer is not None:
        c = body.customer
        key = c.id or c.email.strip().lower() or c.phone.strip()
        if not key:
            raise ActionError("The customer needs an id, an email or a phone.")
        customer = CustomerData(external_id=key, email=c.email, name=c.name, phone=c.phone)
    return OrderData(
        external_id=external_id, number=body.number, placed_at=body.placed_at,
        currency=body.currency or store.currency, customer=customer,
        lines=tuple(LineData(sku=li.sku, title=li.title, quantity=li.quantity, price=li.price,
                             external_id=li.id) for li in body.lines),
        shipments=tuple(ShipmentData(
            carrier=s.carrier, tracking_number=s.tracking_number, tracking_url=s.tracking_url,
            status=s.status, shipped_at=s.shipped_at, estimated_delivery=s.estimated_delivery,
            delivered_at=s.delivered_at, external_id=s.id) for s in body.shipments),
        shipping_address=body.shipping_address, status=body.status,
        financial_status=body.financial_status, fulfillment_status=body.fulfillment_status,
        shipping_total=body.shipping_total, tax_total=body.tax_total,
        discount_total=body.discount_total, total=body.total, notes=body.notes,
    )


@router.put("/stores/{store_id}/orders/{external_id}", response=UpsertOut, url_name="order_put")
def put_order(request: HttpRequest, store_id: int, body: OrderIn,
              external_id: str = ExternalId) -> Any:
    store = _writable_store(request, store_id)
    for s in body.shipments:
        if s.tracking_url and not s.tracking_url.startswith(("https://", "http://")):
            raise ActionError("tracking_url must be an http(s) URL.")
    return actions.upsert_order(store, order_data(external_id, body, store))


@router.put("/stores/{store_id}/products/{external_id}", response=UpsertOut,
            url_name="product_put")
def put_product(request: HttpRequest, store_id: int, body: ProductIn,
                external_id: str = ExternalId) -> Any:
    store = _writable_store(request, store_id)
    return actions.upsert_product(store, ProductData(
        external_id=external_id, title=body.title, category=body.category,
        variants=tuple(VariantData(sku=v.sku, price=v.price, title=v.title,
                                   inventory=v.inventory, category=v.category,
                                   returnable=v.returnable, external_id=v.id,
                                   options=tuple((o.name.strip(), o.value.strip())
                                                 for o in v.options)) for v in body.variants),
        active=body.active,
    ))


@router.put("/stores/{store_id}/customers/{external_id}", response=UpsertOut,
            url_name="customer_put")
def put_customer(request: HttpRequest, store_id: int, body: CustomerIn,
                 external_id: str = ExternalId) -> Any:
    store = _writable_store(request, store_id)
    return actions.upsert_customer(store, CustomerData(
        external_id=external_id, email=body.email, name=body.name, phone=body.phone
    ))
