"""Delivery-status notifications (RFC 3464) and the looser bounces of older servers.

A bounce is never filed as a shopper's message. We read which recipient failed and why
(`Final-Recipient`, `Action: failed`, `Status: 5.x.x`, `Diagnostic-Code`) and which of our mails
it was (the returned message's Message-ID, one of our signed ids). The inbox then marks that
reply failed and the conversation's recipient undeliverable (ingest.py). `Action: delayed`
(4.x.x) is only a warning and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message

from storedesk.connectors.email.parsing import ParsedEmail, clean_header, message_ids

_OUR_ID = re.compile(r"<sd\.\d+\.\d+(?:\.[0-9a-f]{20})?@[^<>\s]+>")


@dataclass
class Bounce:
    recipients: list[str] = field(default_factory=list)
    action: str = "failed"  # failed | delayed | delivered | relayed | expanded
    status: str = ""
    diagnostic: str = ""
    original_message_ids: list[str] = field(default_factory=list)

    @property
    def permanent(self) -> bool:
        return self.action == "failed"

    @property
    def reason(self) -> str:
        parts = [p for p in (self.status, self.diagnostic) if p]
        return " ".join(parts)[:500] or "The recipient's mail server returned the message."


def _fields(block: Message) -> dict[str, str]:
    return {k.lower(): clean_header(str(v)) for k, v in block.items()}


def _address(value: str) -> str:
    # "rfc822; ayse@example.com"
    return value.split(";", 1)[-1].strip().strip("<>").lower()


def _is_report(parsed: ParsedEmail) -> bool:
    content_type = parsed.headers.get("content-type", "").lower()
    return "multipart/report" in content_type and "delivery-status" in content_type


def detect(parsed: ParsedEmail) -> Bounce | None:
    """The bounce this mail reports, or None when it is not one."""
    msg = parsed.raw_message
    if msg is None:
        return None
    if _is_report(parsed):
        return _from_report(msg) or _loose(parsed)
    if parsed.return_path == "" or parsed.sender.email.split("@")[0] in (
        "mailer-daemon", "postmaster"
    ) or "x-failed-recipients" in parsed.headers:
        return _loose(parsed)
    return None


def _from_report(msg: Message) -> Bounce | None:
    bounce = Bounce()
    found = False
    for part in msg.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            if not isinstance(blocks, list):
                continue
            for block in blocks[1:] if len(blocks) > 1 else blocks:
                if not isinstance(block, Message):
                    continue
                fields = _fields(block)
                recipient = fields.get("final-recipient") or fields.get("original-recipient")
                if not recipient:
                    continue
                found = True
                bounce.recipients.append(_address(recipient))
                bounce.action = fields.get("action", "failed").lower()
                bounce.status = fields.get("status", "")
                bounce.diagnostic = fields.get("diagnostic-code", "").split(";", 1)[-1].strip()
        elif content_type in ("message/rfc822", "text/rfc822-headers",
                              "message/rfc822-headers"):
            bounce.original_message_ids += _original_ids(part)
    return bounce if found else None


def _original_ids(part: Message) -> list[str]:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return message_ids(clean_header(str(payload[0].get("Message-ID", ""))))
    try:
        raw = part.get_payload(decode=True) or b""
    except Exception:  # noqa: BLE001
        raw = b""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
    match = re.search(r"(?im)^Message-ID:\s*(<[^>]+>)", text)
    return [match[1]] if match else []


def _loose(parsed: ParsedEmail) -> Bounce | None:
    """Bounces without a delivery-status part: our id somewhere in the returned text."""
    ids = _OUR_ID.findall(parsed.text) + _OUR_ID.findall(parsed.html or "")
    failed = parsed.headers.get("x-failed-recipients", "")
    recipients = [a.strip().lower() for a in failed.split(",") if "@" in a]
    if not ids and not recipients:
        return None
    status = re.search(r"\b([45]\.\d{1,3}\.\d{1,3})\b", parsed.text)
    return Bounce(
        recipients=recipients,
        action="delayed" if status and status[1].startswith("4") else "failed",
        status=status[1] if status else "",
        diagnostic="",
        original_message_ids=list(dict.fromkeys(ids)),
    )
