"""Re-seal every store's platform credentials under the newest encryption key (after a key
rotation; see `core/sealing.py` for the rotation steps), sealing any still plain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.commerce.actions import reseal_credentials


class Command(BaseCommand):
    help = "Re-seal store credentials (access tokens, consumer and webhook secrets)."

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = reseal_credentials()
        self.stdout.write(f"Resealed {count} store secret(s).")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} store(s) hold secrets no configured key opens.")
