"""Back-in-stock notices: a shopper asked to hear when a product can be bought again."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from storedesk.commerce.models.orders import Product, Variant
from storedesk.commerce.models.store import Store
from storedesk.core.models import TenantModel


class RestockSubscription(TenantModel):
    """One shopper waiting for one product, or for one of its variants (a size, a colour):
    unique per product or variant, so asking twice subscribes once."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE,
                                related_name="restock_subscriptions")
    # Set: only this variant coming back is news to the shopper; null: any of the product's.
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="restock_subscriptions")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    # Set once the shopper was told the product is back (the subscription ends there).
    notified_at = models.DateTimeField(null=True, blank=True)
    # Which ask this is: asking again after a notice waits anew (wait_round + 1), and each round's
    # notice is sent once.
    wait_round = models.PositiveIntegerField(default=1)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["product", "contact"],
                                    condition=models.Q(variant__isnull=True),
                                    name="restock_subscription_product_unique"),
            models.UniqueConstraint(fields=["variant", "contact"],
                                    condition=models.Q(variant__isnull=False),
                                    name="restock_subscription_variant_unique"),
        ]
