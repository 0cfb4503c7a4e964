"""What a store sells and what its shoppers bought: products, customers, orders, shipments.

Rows mirror the store platform and are keyed by the platform's id (`external_id`) per store,
so a repeated upsert or webhook updates in place. Written only by `commerce/actions*.py`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.commerce.models.store import Store, money_field
from storedesk.core.models import TenantModel


class Product(TenantModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    external_id = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=100, blank=True)
    # The platform's `updated_at` of the newest product payload applied: an older one arriving
    # late (webhooks are not ordered) is skipped instead of rolling the stock back.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    # False once the platform deleted, trashed, archived or unpublished it: kept for the orders
    # and notices that name it, but no longer offered (the assistant's catalog skips it).
    active = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["store", "external_id"], name="product_external_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Variant(TenantModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="variants")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=100)
    title = models.CharField(max_length=300, blank=True)
    price = money_field(default=Decimal("0"))
    inventory = models.IntegerField(default=0)
    category = models.CharField(max_length=100, blank=True)  # blank: the product's
    returnable = models.BooleanField(default=True)
    # The platform's id of the variant (a WooCommerce variation, a Shopify variant), blank when
    # the source has none, and its option values as the platform names them ({"Size": "L"}).
    external_id = models.CharField(max_length=100, blank=True)
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["store", "sku"], name="variant_sku_unique"),
        ]

    def __str__(self) -> str:
        return self.sku


class Customer(TenantModel):
    """A shopper as the store knows them; linked to the helpdesk Contact by email or phone."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["store", "external_id"], name="customer_external_unique"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["account", "email"]),
            models.Index(fields=["account", "phone"]),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed")


class FinancialStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    VOIDED = "voided", _("Voided")


class FulfillmentStatus(models.TextChoices):
    UNFULFILLED = "unfulfilled", _("Unfulfilled")
    PARTIAL = "partial", _("Partially fulfilled")
    FULFILLED = "fulfilled", _("Fulfilled")


class Order(TenantModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders")
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    external_id = models.CharField(max_length=100)
    number = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    financial_status = models.CharField(
        max_length=24, choices=FinancialStatus.choices, default=FinancialStatus.PAID
    )
    fulfillment_status = models.CharField(
        max_length=16, choices=FulfillmentStatus.choices, default=FulfillmentStatus.UNFULFILLED
    )
    currency = models.CharField(max_length=3)
    subtotal = money_field(default=Decimal("0"))
    shipping_total = money_field(default=Decimal("0"))
    tax_total = money_field(default=Decimal("0"))
    discount_total = money_field(default=Decimal("0"))
    total = money_field(default=Decimal("0"))
    refunded_total = money_field(default=Decimal("0"))
    placed_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    replacement_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replacements"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["store", "external_id"], name="order_external_unique"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["customer", "-placed_at"]),
            models.Index(fields=["account", "number"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"

    @property
    def refundable_amount(self) -> Decimal:
        """What may still be refunded: the total less what was refunded or is being refunded."""
        return max(Decimal("0"), self.total - self.refunded_total)


class OrderLine(TenantModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=100, blank=True)
    sku = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    price = money_field()
    refunded_quantity = models.PositiveIntegerField(default=0)
    returned_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"

    @property
    def line_total(self) -> Decimal:
        return self.price * self.quantity


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    RETURNED = "returned", _("Returned to sender")


class Shipment(TenantModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    external_id = models.CharField(max_length=100, blank=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    tracking_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    # [{"status": "in_transit", "at": "2026-..."}], appended when the status changes.
    status_history = models.JSONField(default=list, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    estimated_delivery = models.DateField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["id"]
