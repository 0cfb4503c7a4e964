"""`storedesk manage helpcenter_export --account SLUG --store SLUG FOLDER`"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.helpcenter.models import HelpCenter
from storedesk.helpcenter.portable import export_help_center


def find_help_center(account: str, store: str) -> HelpCenter:
    found = HelpCenter.objects.filter(account__slug=account, store__slug=store).first()
    if found is None:
        raise CommandError(f"No help center for store {store!r} in account {account!r}.")
    return found


class Command(BaseCommand):
    help = "Export a store's help center as Markdown files with front matter."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", required=True, help="account slug")
        parser.add_argument("--store", required=True, help="store slug")
        parser.add_argument("folder")

    def handle(self, *args: Any, **options: Any) -> None:
        help_center = find_help_center(options["account"], options["store"])
        count = export_help_center(help_center, Path(options["folder"]))
        self.stdout.write(f"Exported {count} article translations to {options['folder']}.")
