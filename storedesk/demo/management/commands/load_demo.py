"""`manage.py load_demo`: create or complete the Lumen & Loom demo account (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from storedesk.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the Lumen & Loom demo data (safe to run again: nothing is duplicated)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--token", action="store_true",
                            help="also print a new API token for admin@example.com")

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        self.stdout.write(
            f"Demo account {result.account.name!r} ({result.account.slug}): "
            f"{len(result.seeded)} conversations seeded, {len(result.skipped)} already present."
        )
        if options["token"]:
            from storedesk.accounts.actions import create_api_token

            _, raw = create_api_token(result.owner, name="Demo token")
            self.stdout.write(raw)
