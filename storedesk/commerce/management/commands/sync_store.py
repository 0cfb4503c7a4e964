"""`storedesk manage sync_store --account SLUG --store SLUG`: reconcile one connected store
now (orders, then products, from the saved watermarks) and say how many changed; the same run
the queue does every 15 minutes (`commerce.actions.reconcile_store`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from storedesk.commerce.actions import reconcile_store
from storedesk.commerce.models import Platform, Store


class Command(BaseCommand):
    help = "Reconcile a Shopify or WooCommerce store's orders and products with the platform now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="The account's slug")
        parser.add_argument("--store", required=True, help="The store's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(account__slug=options["account"],
                                     slug=options["store"]).first()
        if store is None:
            raise CommandError(f"No store {options['store']!r} in account {options['account']!r}.")
        if store.platform == Platform.CUSTOM:
            raise CommandError("A custom store pushes its orders and products to Storedesk; "
                               "there is nothing to reconcile.")
        result = reconcile_store(store)
        self.stdout.write(
            f"{store.name}: orders read: {result.orders} ({result.pages} pages); products "
            f"read: {result.products}, changed: {result.products_changed} "
            f"({result.product_pages} pages).")
        if result.error:
            raise CommandError(f"Stopped: {result.error} (the next run resumes from where this "
                               "one got).")
