"""`storedesk manage email_idle`: keep IMAP IDLE connections to every mailbox and queue a fetch
as soon as mail arrives (the minute poll still runs without it)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Watch every email inbox's IMAP folder with IDLE and queue fetches on new mail."

    def handle(self, *args: Any, **options: Any) -> None:
        from storedesk.connectors.email.idle import run_watchers

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write("Watching mailboxes (Ctrl-C to stop)...")
        run_watchers(stop)
