"""The optional SMTP listener (aiosmtpd) for stores that point their MX records at Storedesk.

`storedesk manage email_smtpd --host 0.0.0.0 --port 25` accepts mail for the addresses of the
active email inboxes (plus-addressed variants included: ``support+sd-42-…@shop``) and refuses
every other recipient with 550, so it is never an open relay. Each accepted mail is filed
through `ingest` for every inbox it was addressed to before the server answers 250; a mail over
``STOREDESK_EMAIL_MAX_BYTES`` is refused during DATA (552, the SIZE extension announces the
limit). Put it behind a TLS-terminating MTA or give it a certificate with ``--tls-cert``.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from storedesk.connectors.email.ingest import ingest, max_bytes
from storedesk.inbox.models import Inbox

logger = logging.getLogger(__name__)


def _base_address(address: str) -> str:
    local, _, domain = address.strip().strip("<>").lower().partition("@")
    return f"{local.split('+')[0]}@{domain}"


def inboxes_for(address: str) -> list[Inbox]:
    wanted = _base_address(address)
    return [
        inbox for inbox in Inbox.objects.filter(channel="email", is_active=True).order_by("pk")
        if str((inbox.config or {}).get("address", "")).lower() == wanted
    ]


def _deliver(rcpt_tos: list[str], raw: bytes) -> list[str]:
    close_old_connections()
    done = []
    seen: set[int] = set()
    for address in rcpt_tos:
        for inbox in inboxes_for(address):
            if inbox.pk in seen:
                continue
            seen.add(inbox.pk)
            outcome = ingest(inbox, raw, source="smtp")
            done.append(f"{inbox.pk}:{outcome.kind}")
    return done


class StoredeskHandler:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        known = await sync_to_async(inboxes_for, thread_sensitive=False)(address)
        if not known:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = bytes(envelope.original_content or envelope.content or b"")
        if len(raw) > max_bytes():
            return "552 5.3.4 Message too big"
        try:
            done = await sync_to_async(_deliver, thread_sensitive=False)(
                list(envelope.rcpt_tos), raw)
        except Exception:  # noqa: BLE001 - a temporary failure: the sender retries
            logger.exception("email smtpd: filing failed")
            return "451 4.3.0 Temporary failure, try again later"
        logger.info("email smtpd: %s", ", ".join(done))
        return "250 2.0.0 Message accepted"


def controller(host: str, port: int, **kwargs: Any) -> Any:
    from aiosmtpd.controller import Controller

    return Controller(StoredeskHandler(), hostname=host, port=port,
                      data_size_limit=max_bytes(), **kwargs)
