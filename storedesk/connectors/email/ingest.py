"""One raw mail in, one outcome out: every inbound path (IMAP, the raw MIME endpoint, the SMTP
listener, a dead letter's retry) goes through `ingest`.

1. Over ``STOREDESK_EMAIL_MAX_BYTES`` (default 25 MiB) or unparseable: kept as a dead letter.
2. A repeat (same Message-ID, or for mail without one the same bytes) returns what was filed.
3. A bounce (DSN) marks our reply failed and the recipient undeliverable; it is no message.
4. Otherwise the thread is resolved (threads.py, tokens verified, sender checked), loops are
   flagged (loops.py) and the mail is filed through ``inbox.actions.receive_message`` with the
   new reply as its text, the quoted history and signature in its metadata, the HTML (nh3-
   sanitised by the inbox) and the attachments within the limits. Attachments over the limits
   are left out of the message and the whole mail is also kept as a dead letter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from storedesk.accounts.actor import SYSTEM
from storedesk.connectors.email import bounces, dead_letters, loops, threads
from storedesk.connectors.email.parsing import ParsedEmail, Unparseable, parse
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.actions import (
    MAX_TEXT_CHARS,
    InboundMessage,
    add_timeline_event,
    receive_message,
    record_receipt,
)
from storedesk.inbox.models import Conversation, Delivery, DeliveryStatus, Inbox, Message
from storedesk.inbox.storage import IncomingFile

if TYPE_CHECKING:
    from storedesk.connectors.email.models import DeadLetter

logger = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_QUOTED_CHARS = 50_000


@dataclass(frozen=True)
class Outcome:
    kind: str  # "filed" | "duplicate" | "bounce" | "ignored" | "dead_letter"
    conversation_id: int | None = None
    message_id: int | None = None
    dead_letter_id: int | None = None
    detail: str = ""


def max_bytes() -> int:
    return int(getattr(settings, "STOREDESK_EMAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


def _dead(inbox: Inbox, raw: bytes, source: str, reason: str,
          retrying: DeadLetter | None) -> Outcome:
    if retrying is not None:
        return Outcome("dead_letter", dead_letter_id=retrying.pk, detail=reason)
    letter, _created = dead_letters.keep(inbox, raw, source=source, reason=reason)
    logger.info("email: dead letter %s for inbox %s: %s", letter.pk, inbox.pk, reason)
    return Outcome("dead_letter", dead_letter_id=letter.pk, detail=reason)


def ingest(inbox: Inbox, raw: bytes, *, source: str,
           retrying: DeadLetter | None = None) -> Outcome:
    """File one raw mail for `inbox`. Never raises for bad mail: it becomes a dead letter."""
    limit = max_bytes()
    if len(raw) > limit:
        return _dead(inbox, raw, source,
                     f"The message is {len(raw) / 1048576:.1f} MiB, over the "
                     f"{limit / 1048576:.0f} MiB limit.", retrying)
    try:
        parsed = parse(raw)
    except Unparseable as exc:
        return _dead(inbox, raw, source, f"Unparseable: {exc}", retrying)
    existing = Message.objects.filter(inbox=inbox, source_id=parsed.message_id).first()
    if existing is not None:
        return Outcome("duplicate", existing.conversation_id, existing.pk)
    bounce = bounces.detect(parsed)
    if bounce is not None:
        return _apply_bounce(inbox, parsed, bounce)
    inbound, dropped = _inbound(inbox, parsed)
    try:
        received = receive_message(inbox, inbound)
    except ActionError as exc:
        return _dead(inbox, raw, source, f"Refused by the inbox: {exc}", retrying)
    if dropped and retrying is None:
        dead_letters.keep(inbox, raw, source=source, reason=(
            "Filed without these attachments (over the limits): " + ", ".join(dropped)))
    return Outcome("filed" if received.created else "duplicate",
                   received.conversation.pk, received.message.pk)


def _thread(inbox: Inbox, parsed: ParsedEmail) -> tuple[int | None, dict[str, Any]]:
    recipients = [a.email for a in parsed.to + parsed.cc]
    claim = threads.claim(inbox.pk, parsed.thread_ids, recipients)
    flags: dict[str, Any] = {}
    if claim.forged:
        flags["forged_thread_token"] = True
    if claim.conversation_id is None:
        return None, flags
    owner = (
        Conversation.objects.filter(pk=claim.conversation_id)
        .values_list("identity__source_id", flat=True).first()
    )
    if owner is not None and owner.strip().lower() == parsed.sender.email:
        flags["thread"] = claim.how
        return claim.conversation_id, flags
    # Somebody else claims the thread: never file it there (spoofed or forwarded reply).
    flags["thread_claim_refused"] = claim.conversation_id
    return None, flags


def _attachments(
    parsed: ParsedEmail,
) -> tuple[list[IncomingFile], list[str], dict[str, int]]:
    """The attachments within the limits, those left out, and Content-ID -> kept position."""
    kept: list[IncomingFile] = []
    dropped: list[str] = []
    cids: dict[str, int] = {}
    total = 0
    for position, incoming in enumerate(parsed.attachments):
        size = incoming.known_size or 0
        if (len(kept) >= settings.ATTACHMENT_MAX_COUNT or size > settings.ATTACHMENT_MAX_BYTES
                or total + size > settings.ATTACHMENT_MAX_TOTAL_BYTES):
            dropped.append(f"{incoming.filename} ({size} bytes)")
            continue
        cid = parsed.content_ids[position] if position < len(parsed.content_ids) else ""
        if cid and len(cids) < 100:
            cids.setdefault(cid.lower(), len(kept))
        kept.append(incoming)
        total += size
    return kept, dropped, cids


def _inbound(inbox: Inbox, parsed: ParsedEmail) -> tuple[InboundMessage, list[str]]:
    conversation_id, flags = _thread(inbox, parsed)
    automatic = loops.automatic_reason(parsed)
    attachments, dropped, cids = _attachments(parsed)
    text = parsed.reply.reply or parsed.subject or ""
    if not text.strip() and not parsed.html and not attachments:
        text = "(empty message)"
    if len(text) > MAX_TEXT_CHARS:
        text = text[: MAX_TEXT_CHARS - 40] + "\n[… the rest was cut: too long]"
    meta: dict[str, Any] = {
        "message_id": parsed.message_id,
        "from": parsed.sender.email,
        "to": [a.email for a in parsed.to][:20],
        "cc": [a.email for a in parsed.cc][:20],
        "subject": parsed.subject,
        "quoted": parsed.reply.quoted[:MAX_QUOTED_CHARS],
        "signature": parsed.reply.signature[:2000],
        **flags,
    }
    if parsed.date is not None:
        meta["date"] = parsed.date.isoformat()
    if parsed.reply_to is not None and parsed.reply_to.email != parsed.sender.email:
        meta["reply_to"] = parsed.reply_to.email
    if automatic:
        meta["automatic"] = automatic
    if parsed.problems:
        meta["problems"] = parsed.problems[:10]
    if dropped:
        meta["attachments_dropped"] = dropped[:20]
    if cids:
        # The HTML's cid: images: Content-ID -> position among the message's attachments
        # (workspace/images.py points them at the stored copies).
        meta["cids"] = cids
    return InboundMessage(
        sender_id=parsed.sender.email,
        text=text,
        source_id=parsed.message_id,
        html=parsed.html,
        name=parsed.sender.name,
        email=parsed.sender.email,
        subject=parsed.subject,
        attachments=attachments,
        metadata={"email": meta},
        conversation_id=conversation_id,
        new_conversation=conversation_id is None,
    ), dropped


def _our_message(inbox: Inbox, ids: list[str]) -> Message | None:
    for value in ids:
        verified = threads.verify_message_id(value)
        if verified:
            _conversation_id, delivery_id = verified
            found = Message.objects.filter(inbox=inbox, delivery__pk=delivery_id).first()
            if found is not None:
                return found
    if ids:
        delivery = (Delivery.objects.filter(message__inbox=inbox, provider_message_id__in=ids)
                    .select_related("message").first())
        if delivery is not None:
            return delivery.message
    return None


def _apply_bounce(inbox: Inbox, parsed: ParsedEmail, bounce: bounces.Bounce) -> Outcome:
    message = _our_message(inbox, bounce.original_message_ids)
    if message is None:
        logger.info("email: bounce %s matches no mail we sent", parsed.message_id)
        return Outcome("ignored", detail="A bounce for a mail this inbox did not send.")
    if not bounce.permanent:
        return Outcome("ignored", message.conversation_id, message.pk,
                       detail=f"Delivery delayed: {bounce.reason}")
    with transaction.atomic():
        conversation = Conversation.objects.get(pk=message.conversation_id)
        seen = Event.objects.filter(
            conversation=conversation, kind=EventKind.EMAIL_UNDELIVERABLE,
            data__bounce_id=parsed.message_id,
        ).exists()
        if not seen:
            if message.delivery_status in (DeliveryStatus.PENDING, DeliveryStatus.SENT):
                record_receipt(message, DeliveryStatus.FAILED,
                               error=f"Undeliverable: {bounce.reason}")
            add_timeline_event(
                conversation, SYSTEM, EventKind.EMAIL_UNDELIVERABLE,
                message_id=message.pk, recipients=bounce.recipients[:10],
                status=bounce.status[:20], reason=bounce.reason, bounce_id=parsed.message_id,
            )
    return Outcome("bounce", conversation.pk, message.pk, detail=bounce.reason)
