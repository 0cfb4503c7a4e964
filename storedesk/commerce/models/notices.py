"""Back-in-stock notices: a shopper asked to hear when a product can be bought again."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from storedesk.commerce.models.orders import Product
from storedesk.commerce.models.store import Store
from storedesk.core.models import TenantModel


class RestockSubscription(TenantModel):
    """One shopper waiting for one product (unique: asking twice subscribes once)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE,
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
                                    name="restock_subscription_unique"),
        ]
