"""The one interface every store platform speaks, and the normalised shapes it produces.

A platform (custom REST/CSV, Shopify, WooCommerce) turns its own payloads into the dataclasses
below; `commerce.actions.upsert_order` & co. write them, whatever their origin. Order actions
taken in Storedesk (refund, cancel, address edit, item edit, return) are pushed to the platform
after commit by `commerce.tasks`, through `StorePlatform`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from storedesk.commerce.models import Order, OrderEdit, Refund, Return, Store


@dataclass(frozen=True)
class CustomerData:
    external_id: str
    email: str = ""
    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class LineData:
    sku: str
    title: str
    quantity: int
    price: Decimal
    external_id: str = ""


@dataclass(frozen=True)
class ShipmentData:
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    status: str = "pending"
    shipped_at: datetime | None = None
    estimated_delivery: date | None = None
    delivered_at: datetime | None = None
    external_id: str = ""


@dataclass(frozen=True)
class OrderData:
    external_id: str
    number: str
    placed_at: datetime
    currency: str
    customer: CustomerData | None = None
    lines: tuple[LineData, ...] = ()
    shipments: tuple[ShipmentData, ...] = ()
    shipping_address: dict[str, Any] = field(default_factory=dict)
    status: str = "open"
    financial_status: str = "paid"
    fulfillment_status: str | None = None  # None: derived from the shipments
    subtotal: Decimal | None = None  # None: the sum of the lines
    shipping_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    total: Decimal | None = None  # None: subtotal + shipping + tax - discount
    refunded_total: Decimal | None = None  # None: keep what Storedesk knows
    notes: str = ""
    cancelled_at: datetime | None = None


@dataclass(frozen=True)
class VariantData:
    sku: str
    price: Decimal
    title: str = ""
    inventory: int = 0
    category: str = ""
    returnable: bool = True
    external_id: str = ""  # the platform's id of the variant, when it has one
    options: tuple[tuple[str, str], ...] = ()  # (("Size", "L"), ("Colour", "Blue"))


@dataclass(frozen=True)
class ProductData:
    external_id: str
    title: str
    category: str = ""
    variants: tuple[VariantData, ...] = ()
    # The platform's last change of the product, when the source says (webhook payloads): an
    # older payload than the one applied is skipped. None: always applied (the current state).
    updated_at: datetime | None = None
    # False: deleted, trashed, archived or unpublished at the platform (kept, not offered).
    active: bool = True
    # True: `variants` is every variant the product has (a WooCommerce variable product's
    # variations, read in full); the product's other variants are no longer sold (stock 0).
    all_variants: bool = False


class PlatformError(Exception):
    """The platform refused or failed; `permanent` says whether a retry could help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class WebhookEvent:
    """A verified platform webhook: its dedupe id, topic and parsed JSON body."""

    event_id: str
    topic: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class OrderPage:
    """One page of orders changed on the platform, oldest change first; `watermark` is the
    latest `updated_at` on the page (where the next reconciliation may start)."""

    orders: tuple[OrderData, ...]
    watermark: datetime | None


@dataclass(frozen=True)
class ProductPage:
    """One page of products changed on the platform, oldest change first, and the products it
    deleted (their ids); `watermark` is the latest change on the page (None: not a resume
    point)."""

    products: tuple[ProductData, ...]
    watermark: datetime | None
    deleted: tuple[str, ...] = ()


class StorePlatform:
    """What Storedesk asks of a store platform. The base class is the `custom` platform's
    behaviour: the store's own system is the source of truth and learns about Storedesk's
    actions from outbound webhooks, so pushing an action is a no-op that succeeds."""

    name: ClassVar[str] = "custom"

    def __init__(self, store: Store) -> None:
        self.store = store

    # Actions taken in Storedesk, pushed after commit. Return the platform's id, if any.
    def push_refund(self, refund: Refund) -> str:
        return ""

    def push_cancel(self, order: Order, reason: str) -> None:
        return None

    def push_address(self, order: Order) -> None:
        return None

    def push_return(self, return_request: Return) -> str:
        return ""

    def push_line_edits(self, edit: OrderEdit) -> None:
        """Item changes (`edit.changes`: each line's old external id, sku and quantity, its new
        sku and quantity, 0 when removed) made to an unfulfilled order."""
        return None

    # Inbound webhooks: verify the raw body (fail closed) and name the event; then, on the
    # worker, apply the stored event (through commerce actions only).
    def verify_webhook(self, headers: dict[str, str], body: bytes) -> WebhookEvent:
        raise PlatformError("This platform does not send webhooks.", permanent=True)

    def apply_webhook(self, event: WebhookEvent) -> str:
        """Apply one verified event; returns what was done (for the event log)."""
        raise PlatformError(f"No handler for {event.topic!r}.", permanent=True)

    # Periodic reconciliation: orders changed since `since`, normalised, page by page in the
    # order of their last change (so a watermark saved after each page is safe to resume from).
    def order_pages(self, since: datetime | None) -> Iterator[OrderPage]:
        return iter(())

    def orders_since(self, since: datetime | None) -> list[OrderData]:
        return [order for page in self.order_pages(since) for order in page.orders]

    # The same for the catalog: products changed since `since` (None: all of them), by the time
    # of their change, with their variants' stock; and the products deleted since then.
    def product_pages(self, since: datetime | None) -> Iterator[ProductPage]:
        return iter(())

    # Reads for imports and the settings page's "Test connection".
    def products(self) -> Iterator[ProductData]:
        return iter(())

    def customers(self) -> Iterator[CustomerData]:
        return iter(())

    def test_connection(self) -> str:
        """Call the platform with the stored credentials; returns what it said (the shop's
        name) or raises PlatformError saying what failed."""
        raise PlatformError("This platform has no API to test.", permanent=True)


def known_line_ids(edit: OrderEdit) -> set[str]:
    """The platform line ids the order had when it was edited: a line with another id carrying
    the new variant was added by an earlier push of the same edit (so a retry adds nothing,
    even after the order was read back from the platform)."""
    known = {str(c.get("external_id") or "") for c in edit.changes}
    for change in edit.changes:
        known.update(str(i) for i in change.get("known_line_ids") or [])
    if not any("known_line_ids" in c for c in edit.changes):  # an edit saved without them
        known.update(edit.order.lines.values_list("external_id", flat=True))
    return known - {""}
