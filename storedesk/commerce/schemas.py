"""API schemas for commerce (explicit fields; a store's platform config holds secrets and never
leaves). Money is a decimal string with two places, next to its ISO 4217 currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from storedesk.core.validation import MoneyIn, PositiveMoneyIn

# A decimal amount in output; input takes MoneyIn / PositiveMoneyIn (core.validation).
Money = Decimal
ShipmentStatusName = Literal[
    "pending", "in_transit", "out_for_delivery", "delivered", "failed", "returned"
]


class StoreOut(Schema):
    id: int
    slug: str
    name: str
    platform: str
    url: str
    currency: str
    created_at: datetime


# --- custom platform upserts ---------------------------------------------------------------

class CustomerIn(Schema):
    email: str = Field("", max_length=254)
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)


class OrderCustomerIn(CustomerIn):
    id: str | None = Field(None, max_length=100, description="The store's customer id; "
                           "defaults to the email (or phone).")


class LineIn(Schema):
    sku: str = Field("", max_length=100)
    title: str = Field(..., min_length=1, max_length=300)
    quantity: int = Field(..., ge=1, le=100_000)
    price: MoneyIn
    id: str = Field("", max_length=100)


class ShipmentIn(Schema):
    carrier: str = Field("", max_length=100)
    tracking_number: str = Field("", max_length=100)
    tracking_url: str = Field("", max_length=500)
    status: ShipmentStatusName = "pending"
    shipped_at: datetime | None = None
    estimated_delivery: date | None = None
    delivered_at: datetime | None = None
    id: str = Field("", max_length=100)


class OrderIn(Schema):
    number: str = Field(..., min_length=1, max_length=64)
    placed_at: datetime
    currency: str | None = Field(None, min_length=3, max_length=3)
    status: Literal["open", "cancelled", "closed"] = "open"
    financial_status: Literal[
        "pending", "paid", "partially_refunded", "refunded", "voided"
    ] = "paid"
    fulfillment_status: Literal["unfulfilled", "partial", "fulfilled"] | None = None
    customer: OrderCustomerIn | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=500)
    shipments: list[ShipmentIn] = Field(default_factory=list, max_length=50)
    shipping_address: dict[str, str] = Field(default_factory=dict)
    shipping_total: MoneyIn = Decimal("0")
    tax_total: MoneyIn = Decimal("0")
    discount_total: MoneyIn = Decimal("0")
    total: MoneyIn | None = None
    notes: str = Field("", max_length=10_000)


class OptionIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, pattern=r"\S")
    value: str = Field(..., min_length=1, max_length=100, pattern=r"\S")


class VariantIn(Schema):
    sku: str = Field(..., min_length=1, max_length=100)
    title: str = Field("", max_length=300)
    price: MoneyIn
    inventory: int = 0
    category: str = Field("", max_length=100)
    returnable: bool = True
    id: str = Field("", max_length=100)  # the store's own id of the variant, if any
    # Its option values (Size: L): a shopper naming them waits for this variant only.
    options: list[OptionIn] = Field(default_factory=list, max_length=10)


class ProductIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    category: str = Field("", max_length=100)
    variants: list[VariantIn] = Field(default_factory=list, max_length=500)
    active: bool = True  # false: no longer sold (kept for the orders and notices naming it)


class UpsertOut(Schema):
    id: int
    external_id: str


# --- orders as agents and the API see them --------------------------------------------------

class LineOut(Schema):
    id: int
    sku: str
    title: str
    quantity: int
    price: Money
    refunded_quantity: int
    returned_quantity: int


class ShipmentOut(Schema):
    id: int
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    status_history: list[dict[str, Any]]
    shipped_at: datetime | None
    estimated_delivery: date | None
    delivered_at: datetime | None


class RefundOut(Schema):
    id: int
    order_id: int
    amount: Money
    currency: str
    reason: str
    restock: bool
    lines: list[dict[str, int]]
    status: str
    idempotency_key: str
    created_at: datetime


class ReturnOut(Schema):
    id: int
    order_id: int
    rma_number: str
    reason: str
    status: str
    instructions: str
    label_url: str
    created_at: datetime


class ApprovalOut(Schema):
    id: int
    order_id: int
    kind: str
    amount: Money
    status: str
    requested_by_id: int | None
    requested_role: str
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str
    refund_id: int | None
    created_at: datetime


class OrderOut(Schema):
    id: int
    store_id: int
    external_id: str
    number: str
    status: str
    financial_status: str
    fulfillment_status: str
    currency: str
    subtotal: Money
    shipping_total: Money
    tax_total: Money
    discount_total: Money
    total: Money
    refunded_total: Money
    refundable_amount: Money
    placed_at: datetime
    cancelled_at: datetime | None
    shipping_address: dict[str, Any]
    notes: str
    replacement_of_id: int | None
    lines: list[LineOut]
    shipments: list[ShipmentOut]


class MoneyOut(Schema):
    currency: str
    amount: Money


class ContactOrdersOut(Schema):
    contact_id: int
    order_count: int
    lifetime_value: list[MoneyOut]
    first_order_at: datetime | None
    last_order_at: datetime | None
    orders: list[OrderOut]
    open_returns: list[ReturnOut]
    refunds: list[RefundOut]


# --- order actions -------------------------------------------------------------------------

class LineQuantityIn(Schema):
    line_id: int
    quantity: int = Field(..., ge=1, le=100_000)


class RefundIn(Schema):
    idempotency_key: str = Field(..., min_length=1, max_length=100)
    amount: PositiveMoneyIn | None = None
    lines: list[LineQuantityIn] = Field(default_factory=list, max_length=500)
    restock: bool = False
    reason: str = Field("", max_length=500)
    conversation_id: int | None = None


class RefundResultOut(Schema):
    result: Literal["refunded", "pending_approval", "rejected"]
    replayed: bool
    refund: RefundOut | None
    approval: ApprovalOut | None


class LineEditIn(Schema):
    line_id: int
    quantity: int = Field(..., ge=0, le=100)  # 0 removes the line
    variant_id: int | None = None  # another variant of the same product (size, colour)


class OrderLinesIn(Schema):
    idempotency_key: str = Field(..., min_length=1, max_length=80)
    changes: list[LineEditIn] = Field(..., min_length=1, max_length=50)
    reason: str = Field("", max_length=500)
    conversation_id: int | None = None


class OrderEditOut(Schema):
    id: int
    replayed: bool
    difference: Money  # the new lines' value less the old (negative: refunded)
    push_status: str
    refund: RefundOut | None
    approval: ApprovalOut | None
    order: OrderOut


class CancelIn(Schema):
    reason: str = Field("", max_length=500)
    idempotency_key: str = Field("", max_length=100)
    conversation_id: int | None = None


class ReturnLineIn(LineQuantityIn):
    condition: str = Field("", max_length=200)


class ReturnIn(Schema):
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=500)
    reason: str = Field(..., min_length=1, max_length=500)
    conversation_id: int | None = None


class AddressIn(Schema):
    shipping_address: dict[str, str]
    conversation_id: int | None = None


class ReplacementIn(Schema):
    lines: list[LineQuantityIn] = Field(..., min_length=1, max_length=500)
    reason: str = Field(..., min_length=1, max_length=500)
    conversation_id: int | None = None


class DiscountIn(Schema):
    amount: PositiveMoneyIn | None = None
    percent: int | None = Field(None, ge=1, le=100)
    conversation_id: int | None = None


class DiscountOut(Schema):
    id: int
    code: str
    amount: Money | None
    percent: int | None
    currency: str
    order_id: int | None


class DecisionIn(Schema):
    note: str = Field("", max_length=500)


class PolicyIO(Schema):
    return_window_days: int = Field(..., ge=0, le=365)
    non_returnable_categories: list[str] = Field(default_factory=list, max_length=100)
    return_condition: str = Field("", max_length=500)
    return_instructions: str = Field("", max_length=5000)
    refund_limits: dict[str, MoneyIn | None] = Field(default_factory=dict)
    free_shipping_threshold: MoneyIn | None = None


class ShippingRateOut(Schema):
    method: str
    country: str
    cost: Money
    min_days: int
    max_days: int
