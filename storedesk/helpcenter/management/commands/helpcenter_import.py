"""`storedesk manage helpcenter_import --account SLUG --store SLUG FOLDER`"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.commerce.models import Store
from storedesk.core.errors import ActionError
from storedesk.helpcenter.actions import ensure_help_center
from storedesk.helpcenter.portable import import_help_center


class Command(BaseCommand):
    help = "Import Markdown files with front matter into a store's help center (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", required=True, help="account slug")
        parser.add_argument("--store", required=True, help="store slug")
        parser.add_argument("folder")

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(account__slug=options["account"],
                                     slug=options["store"]).select_related("account").first()
        if store is None:
            raise CommandError(f"No store {options['store']!r} in account "
                               f"{options['account']!r}.")
        try:
            report = import_help_center(ensure_help_center(store), Path(options["folder"]))
        except ActionError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(f"created {report.created}, updated {report.updated}, "
                          f"unchanged {report.unchanged}, published {report.published}")
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} file(s) could not be imported.")
