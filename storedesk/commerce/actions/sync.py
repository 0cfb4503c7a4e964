"""Upserts of what a store platform tells us: customers, products, orders with lines and shipments.

Every source (custom REST, CSV import, Shopify and WooCommerce webhooks, reconciliation) ends
here with normalised data, keyed by the platform's id per store, so replaying the same payload
changes nothing and a newer one updates in place.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.accounts.actor import SYSTEM
from storedesk.commerce.models import (
    Customer,
    FulfillmentStatus,
    Order,
    OrderLine,
    Product,
    Shipment,
    ShipmentStatus,
    Store,
    Variant,
)
from storedesk.commerce.platforms.base import CustomerData, OrderData, ProductData, ShipmentData
from storedesk.core.errors import ActionError
from storedesk.events import record
from storedesk.events.kinds import EventKind

MAX_LINES = 500
MAX_SHIPMENTS = 50


def _find_contact_id(store: Store, email: str, phone: str) -> int | None:
    """The helpdesk contact with this email (or phone), read-only: commerce links to it."""
    from storedesk.contacts.models import Contact

    contacts = Contact.objects.filter(account_id=store.account_id, merged_into__isnull=True)
    if email:
        found = contacts.filter(email__iexact=email).values_list("pk", flat=True).first()
        if found:
            return found
    if phone:
        return contacts.filter(phone=phone).values_list("pk", flat=True).first()
    return None


def upsert_customer(store: Store, data: CustomerData) -> Customer:
    if not data.external_id.strip():
        raise ActionError("A customer needs an id.")
    email = data.email.strip().lower()
    defaults = {
        "email": email, "name": data.name.strip()[:200], "phone": data.phone.strip()[:32],
        "account_id": store.account_id,
    }
    with transaction.atomic():
        try:
            with transaction.atomic():
                customer, _created = Customer.objects.update_or_create(
                    store=store, external_id=data.external_id[:100], defaults=defaults
                )
        except IntegrityError:  # a concurrent upsert created it first
            customer = Customer.objects.get(store=store, external_id=data.external_id[:100])
        contact_id = _find_contact_id(store, email, customer.phone)
        if contact_id and customer.contact_id != contact_id:
            customer.contact_id = contact_id
            customer.save(update_fields=["contact", "updated_at"])
    return customer


def _check_order(data: OrderData) -> None:
    if not data.external_id.strip() or not data.number.strip():
        raise ActionError("An order needs an id and a number.")
    if len(data.lines) > MAX_LINES or len(data.shipments) > MAX_SHIPMENTS:
        raise ActionError(f"At most {MAX_LINES} lines and {MAX_SHIPMENTS} shipments per order.")
    for line in data.lines:
        if line.quantity < 1 or line.price < 0:
            raise ActionError(f"Line {line.sku or line.title!r}: quantity >= 1 and price >= 0.")
    if data.placed_at.tzinfo is None:
        raise ActionError("placed_at needs a timezone.")


@transaction.atomic
def upsert_order(store: Store, data: OrderData) -> Order:
    """Create or update one order (and its customer, lines and shipments) from platform data."""
    _check_order(data)
    customer = upsert_customer(store, data.customer) if data.customer else None
    subtotal = data.subtotal
    if subtotal is None:
        subtotal = sum((line.price * line.quantity for line in data.lines), Decimal("0"))
    total = data.total
    if total is None:
        total = subtotal + data.shipping_total + data.tax_total - data.discount_total
    fulfillment = data.fulfillment_status or _derived_fulfillment(data.shipments)
    fields = {
        "account_id": store.account_id,
        "customer": customer,
        "number": data.number.strip().lstrip("#")[:64],
        "status": data.status,
        "financial_status": data.financial_status,
        "fulfillment_status": fulfillment,
        "currency": (data.currency or store.currency).upper()[:3],
        "subtotal": subtotal,
        "shipping_total": data.shipping_total,
        "tax_total": data.tax_total,
        "discount_total": data.discount_total,
        "total": total,
        "placed_at": data.placed_at,
        "cancelled_at": data.cancelled_at,
        "shipping_address": data.shipping_address or {},
        "notes": data.notes[:10_000],
    }
    if data.refunded_total is not None:
        fields["refunded_total"] = data.refunded_total
    order = (
        Order.objects.select_for_update()
        .filter(store=store, external_id=data.external_id[:100]).first()
    )
    if order is None:
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    store=store, external_id=data.external_id[:100], **fields
                )
        except IntegrityError:
            order = Order.objects.select_for_update().get(
                store=store, external_id=data.external_id[:100]
            )
    for name, value in fields.items():
        setattr(order, name, value)
    order.save()
    _sync_lines(order, data)
    _sync_shipments(order, data.shipments)
    return order


def _derived_fulfillment(shipments: tuple[ShipmentData, ...]) -> str:
    return FulfillmentStatus.FULFILLED if shipments else FulfillmentStatus.UNFULFILLED


def _sync_lines(order: Order, data: OrderData) -> None:
    existing = list(order.lines.all())
    by_key = {(line.external_id or line.sku or line.title): line for line in existing}
    variants = {
        v.sku: v for v in Variant.objects.filter(
            store_id=order.store_id, sku__in=[line.sku for line in data.lines if line.sku]
        )
    }
    seen: set[int] = set()
    for item in data.lines:
        key = item.external_id or item.sku or item.title
        line = by_key.get(key)
        if line is None:
            line = OrderLine(account_id=order.account_id, order=order)
        line.external_id = item.external_id[:100]
        line.sku = item.sku[:100]
        line.title = (item.title or item.sku)[:300]
        line.quantity = item.quantity
        line.price = item.price
        line.variant = variants.get(item.sku)
        line.save()
        seen.add(line.pk)
    # Lines the platform no longer lists go, unless something was refunded or returned on them.
    order.lines.exclude(pk__in=seen).filter(refunded_quantity=0, returned_quantity=0).delete()


def _sync_shipments(order: Order, shipments: tuple[ShipmentData, ...]) -> None:
    existing = list(order.shipments.all())
    now = timezone.now().isoformat()
    for index, item in enumerate(shipments):
        shipment = next(
            (s for s in existing if (item.external_id and s.external_id == item.external_id)
             or (item.tracking_number and s.tracking_number == item.tracking_number)),
            existing[index] if index < len(existing) and not item.external_id
            and not item.tracking_number else None,
        )
        if shipment is None:
            shipment = Shipment(account_id=order.account_id, order=order)
        status = item.status if item.status in ShipmentStatus.values else ShipmentStatus.PENDING
        if shipment.status != status or not shipment.status_history:
            shipment.status_history = [*shipment.status_history, {"status": status, "at": now}]
        shipment.status = status
        shipment.external_id = item.external_id[:100]
        shipment.carrier = item.carrier[:100]
        shipment.tracking_number = item.tracking_number[:100]
        shipment.tracking_url = item.tracking_url[:500]
        shipment.shipped_at = item.shipped_at
        shipment.estimated_delivery = item.estimated_delivery
        shipment.delivered_at = item.delivered_at
        shipment.save()


@transaction.atomic
def upsert_product(store: Store, data: ProductData) -> Product:
    """Create or update one product and its variants (the one write path of the catalog:
    imports, the custom REST API, every platform's product webhooks and the reconciliation).

    A product, or one of its variants, coming back in stock records `product.back_in_stock`
    once (the assistant tells the shoppers waiting for it, per product or per variant)."""
    if not data.external_id.strip() or not data.title.strip():
        raise ActionError("A product needs an id and a title.")
    if data.updated_at is not None and data.updated_at.tzinfo is None:
        raise ActionError("updated_at needs a timezone.")
    for item in data.variants:
        if not item.sku.strip() or item.price < 0:
            raise ActionError("A variant needs a SKU and a price >= 0.")
    existing = (Product.objects.select_for_update()
                .filter(store=store, external_id=data.external_id[:100]).first())
    if (existing is not None and data.updated_at is not None
            and existing.source_updated_at is not None
            and data.updated_at < existing.source_updated_at):
        return existing  # a late, older payload: what we hold is newer
    was_in_stock = existing is None or _in_stock(existing)
    stock_before: dict[int, int] = {} if existing is None else dict(
        Variant.objects.filter(product=existing).values_list("pk", "inventory"))
    defaults = {"account_id": store.account_id, "title": data.title[:300],
                "category": data.category[:100], "active": data.active}
    if data.updated_at is not None:
        defaults["source_updated_at"] = data.updated_at
    product, _created = Product.objects.update_or_create(
        store=store, external_id=data.external_id[:100], defaults=defaults,
    )
    restocked: list[int] = []
    listed: set[int] = set()
    for item in data.variants:
        variant, _new = Variant.objects.update_or_create(
            store=store, sku=item.sku[:100],
            defaults={"account_id": store.account_id, "product": product,
                      "title": item.title[:300], "price": item.price,
                      "inventory": item.inventory, "category": item.category[:100],
                      "returnable": item.returnable, "external_id": item.external_id[:100],
                      "options": {k[:100]: v[:100] for k, v in item.options}},
        )
        listed.add(variant.pk)
        if stock_before.get(variant.pk, 1) <= 0 < variant.inventory:
            restocked.append(variant.pk)
    if data.all_variants:
        # Variants the platform no longer lists cannot be bought (kept for the orders naming
        # them).
        Variant.objects.filter(product=product).exclude(pk__in=listed).exclude(
            inventory=0).update(inventory=0)
    product_back = not was_in_stock and _in_stock(product)
    if product.active and (product_back or restocked):
        # Back in stock: the subscribers to its back-in-stock notice are told (the assistant
        # subscribes to this event; config/subscribers.py): those waiting for the product when
        # it was sold out, and those waiting for a variant that came back.
        record(EventKind.PRODUCT_BACK_IN_STOCK, SYSTEM, account_id=store.account_id,
               data={"product_id": product.pk, "product": product.title[:200],
                     "store_id": store.pk, "product_back": product_back,
                     "variant_ids": sorted(restocked)})
    return product


@transaction.atomic
def deactivate_product(store: Store, external_id: str) -> Product | None:
    """The platform deleted (or trashed) the product: it stays, for the orders and notices
    that name it, but is no longer offered. None when we never had it."""
    product = (Product.objects.select_for_update()
               .filter(store=store, external_id=external_id[:100]).first())
    if product is None or not product.active:
        return product
    product.active = False
    product.save(update_fields=["active", "updated_at"])
    return product


def _in_stock(product: Product) -> bool:
    return Variant.objects.filter(product=product, inventory__gt=0).exists()
