"""`storedesk manage email_smtpd`: receive mail for the email inboxes over SMTP (MX)."""

from __future__ import annotations

import signal
import ssl
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run an SMTP server that files mail for the email inboxes' addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--tls-cert", default="", help="PEM certificate for STARTTLS")
        parser.add_argument("--tls-key", default="", help="PEM private key for STARTTLS")

    def handle(self, *args: Any, **options: Any) -> None:
        from storedesk.connectors.email.smtpd import controller

        extra: dict[str, Any] = {}
        if options["tls_cert"]:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(options["tls_cert"], options["tls_key"] or None)
            extra["tls_context"] = context
        server = controller(options["host"], options["port"], **extra)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        server.start()
        self.stdout.write(f"SMTP listener on {options['host']}:{options['port']}")
        stop.wait()
        server.stop()
