"""Stores on e-commerce platforms (products, orders and order actions come with commerce)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


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
    config = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "slug"], name="store_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name
