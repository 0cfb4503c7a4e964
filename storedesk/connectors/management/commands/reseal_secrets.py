"""Re-seal every stored connector secret under the newest encryption key (after rotation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.connectors.actions import reseal_secrets


class Command(BaseCommand):
    help = "Re-seal connector secrets (SMTP passwords, provider tokens) under the newest key."

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = reseal_secrets()
        self.stdout.write(f"Resealed {count} secret(s).")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} inbox(es) hold secrets no configured key opens.")
