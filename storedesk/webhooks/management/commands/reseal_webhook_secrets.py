"""Re-seal every webhook signing secret under the newest encryption key (after rotation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.webhooks.actions import reseal_secrets


class Command(BaseCommand):
    help = "Re-seal the store webhooks' signing secrets under the newest encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = reseal_secrets()
        self.stdout.write(f"Resealed {count} webhook(s).")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} webhook(s) hold secrets no configured key "
                               "opens; rotate their secrets.")
