"""Loop protection: which incoming mails are automatic, and how much automatic mail we send.

An incoming mail is automatic (never auto-answered: no bot reply, no automation mail goes back
to it) when it carries any of RFC 3834's `Auto-Submitted` (other than "no"), Microsoft's
`X-Auto-Response-Suppress`, `X-Autoreply` / `X-Autorespond`, `Precedence: bulk|list|junk|
auto_reply`, a `List-Id`, our own loop header, a null return path (`Return-Path: <>`) or a
MAILER-DAEMON / postmaster sender. It is still filed (an agent may want to read an out-of-office
note); the conversation's latest incoming mail carries the reason in
``metadata["email"]["automatic"]``, and the transport refuses automatic replies to it.

Our own automatic mail (bot and system senders) carries ``Auto-Submitted: auto-replied`` and
is capped per recipient (``STOREDESK_EMAIL_AUTO_REPLY_CAP`` per 24 hours, default 5).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from storedesk.connectors.email.parsing import ParsedEmail

LOOP_HEADER = "X-Storedesk-Loop"
BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply", "auto-reply"}
DAEMON_LOCALPARTS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
AUTOMATIC_SENDERS = ("bot", "system")
DEFAULT_CAP = 5


def automatic_reason(parsed: ParsedEmail) -> str:
    """Why this mail is automatic, or "" for mail a person wrote."""
    headers = parsed.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto[:60]}"
    for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress"):
        if name in headers:
            return f"{name}: {headers[name][:60]}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if "list-id" in headers:
        return "List-Id"
    if "x-storedesk-loop" in headers or "x-loop" in headers:
        return "loop header"
    if parsed.return_path == "":
        return "null return path"
    if parsed.sender.email.split("@")[0] in DAEMON_LOCALPARTS:
        return f"sender {parsed.sender.email}"
    return ""


def over_cap(inbox_id: int, recipient: str, *, exclude_message_id: int | None = None) -> bool:
    """Has this recipient had its share of automatic mail from this inbox in the last day?"""
    from storedesk.inbox.models import Direction, Message

    cap = int(getattr(settings, "STOREDESK_EMAIL_AUTO_REPLY_CAP", DEFAULT_CAP))
    since = timezone.now() - timedelta(hours=24)
    sent = Message.objects.filter(
        inbox_id=inbox_id, direction=Direction.OUTGOING, private=False,
        sender_type__in=AUTOMATIC_SENDERS, created_at__gte=since,
        conversation__contact__email__iexact=recipient, delivery__status="sent",
    )
    if exclude_message_id is not None:
        sent = sent.exclude(pk=exclude_message_id)
    return sent.count() >= cap


def latest_incoming_is_automatic(conversation_id: int, before_message_id: int) -> str:
    """The reason when the latest incoming mail before this reply was automatic, else ""."""
    from storedesk.inbox.models import Direction, Message

    latest = (
        Message.objects.filter(conversation_id=conversation_id, direction=Direction.INCOMING,
                               pk__lt=before_message_id)
        .order_by("-pk")
        .values_list("metadata", flat=True)
        .first()
    )
    if not isinstance(latest, dict):
        return ""
    email = latest.get("email")
    if not isinstance(email, dict):
        return ""
    return str(email.get("automatic") or "")
