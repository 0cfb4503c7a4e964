"""`storedesk manage import_orders --account SLUG --store SLUG orders.csv` (see csv_import.py)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from storedesk.commerce.csv_import import import_orders, read_csv
from storedesk.commerce.models import Store
from storedesk.core.errors import ActionError

BAR_WIDTH = 30


def progress_bar(done: int, total: int) -> None:
    filled = BAR_WIDTH * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} orders")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


class Command(BaseCommand):
    help = "Import orders for a custom store from a CSV file (one row per order line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--account", required=True, help="The account's slug")
        parser.add_argument("--store", required=True, help="The store's slug")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(account__slug=options["account"],
                                     slug=options["store"]).first()
        if store is None:
            raise CommandError(f"No store {options['store']!r} in account {options['account']!r}.")
        try:
            rows = read_csv(options["path"])
        except (OSError, UnicodeDecodeError, ActionError) as exc:
            raise CommandError(getattr(exc, "detail", None) or str(exc)) from exc
        report = import_orders(store, rows,
                               progress=None if options["no_progress"] else progress_bar)
        self.stdout.write(f"Imported {report.imported} orders into {store.name}.")
        for error in report.errors:
            self.stderr.write(error)
        if report.errors:
            raise CommandError(f"{len(report.errors)} problem(s); the other orders were imported.")
