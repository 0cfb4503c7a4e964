"""Stores on e-commerce platforms, with the policies the store sets for its support team.

Money is `Decimal` in the store's currency (ISO 4217, three letters); rows carry their own
currency where an amount leaves the store (orders, refunds), so a store changing its currency
never reinterprets history.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel

MAX_RETURN_WINDOW_DAYS = 365
DEFAULT_RETURN_WINDOW_DAYS = 30
# Refund limits per role when the store sets none: agents up to 50 in the store currency,
# light agents none, admins and owners unlimited (None). "bot" is the assistant (the actor type
# of its actions, see refunds.actor_role): 0 until the store allows it more, so by default every
# refund it would cause (a paid order's cancellation, a refund request) goes to the team.
DEFAULT_REFUND_LIMITS: dict[str, str | None] = {
    "owner": None, "admin": None, "agent": "50", "light_agent": "0", "bot": "0",
}
# Limit keys that are not seat roles: the assistant's, which must always be an amount.
ACTOR_LIMITS = ("bot",)


def money_field(**kwargs: Any) -> Any:
    """A money amount: up to 9,999,999,999.99 in the row's currency."""
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class Platform(models.TextChoices):
    CUSTOM = "custom", _("Custom (REST/CSV)")
    SHOPIFY = "shopify", _("Shopify")
    WOOCOMMERCE = "woocommerce", _("WooCommerce")


class Store(TenantModel):
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=16, choices=Platform.choices, default=Platform.CUSTOM)
    url = models.URLField(blank=True)
    currency = models.CharField(max_length=3, default="USD")
    # Platform credentials and endpoints (shop domain, access token, webhook secret...).
    # Never leaves through the API.
    config = models.JSONField(default=dict, blank=True)

    # Return policy.
    return_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_RETURN_WINDOW_DAYS, validators=[MaxValueValidator(MAX_RETURN_WINDOW_DAYS)]
    )
    non_returnable_categories = models.JSONField(default=list, blank=True)
    return_condition = models.CharField(max_length=500, blank=True)
    return_instructions = models.TextField(blank=True)
    # Refund limits per role: {"agent": "50", ...}; a missing role falls back to
    # DEFAULT_REFUND_LIMITS, a null value means no limit.
    refund_limits = models.JSONField(default=dict, blank=True)
    # Shipping: orders at or above this subtotal ship free (null: never).
    free_shipping_threshold = money_field(null=True, blank=True)

    # Reconciliation with the platform (commerce.actions.reconcile): orders changed at or after
    # the watermark are read again; it only moves forward, after each page is written.
    sync_watermark = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.CharField(max_length=500, blank=True)
    # The same for the catalog: products changed at or after it are read again.
    product_watermark = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "slug"], name="store_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(return_window_days__lte=MAX_RETURN_WINDOW_DAYS),
                name="store_return_window_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refund_limit_for(self, role: str) -> Decimal | None:
        """The most one refund by this role may be without approval (None: no limit)."""
        limits = {**DEFAULT_REFUND_LIMITS, **(self.refund_limits or {})}
        value = limits.get(role, "0")
        return None if value is None else Decimal(str(value))


class ShippingRate(TenantModel):
    """One way a store ships to a country ("*" for everywhere else), quotable by the assistant."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="shipping_rates")
    method = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default="*")
    cost = money_field()
    min_days = models.PositiveSmallIntegerField(default=1)
    max_days = models.PositiveSmallIntegerField(default=5)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["store", "method", "country"], name="shipping_rate_unique"
            ),
        ]
