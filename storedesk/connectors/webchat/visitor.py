"""What the widget may do, for HTTP views and the websocket alike (synchronous, ORM).

Every function takes the inbox (from the public key) and the `Visitor` (from the signed token),
so a visitor only ever reaches their own conversations on that inbox. Messages go in through
`inbox.actions.receive_message` and receipts through `inbox.actions.record_receipt`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from storedesk.connectors.webchat.config import WebchatConfig
from storedesk.connectors.webchat.texts import pick_language, texts_for
from storedesk.connectors.webchat.tokens import (
    Visitor,
    browser_language,
    new_visitor_id,
    read_visitor,
    sign_visitor,
    verify_identity,
)
from storedesk.core.errors import ActionError
from storedesk.core.ratelimit import parse_rate
from storedesk.inbox.actions import InboundMessage, receive_message, record_receipt
from storedesk.inbox.models import Direction, Inbox, Message
from storedesk.inbox.storage import IncomingFile

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000  # one widget message
MAX_NAME_CHARS = 100
HISTORY_LIMIT = 200
# Catch-up also returns messages created this long before the cursor message, because on
# PostgreSQL a lower id can commit after a higher one; the widget drops ids it already has.
CATCH_UP_OVERLAP = timedelta(seconds=10)
VISIBLE_STATUSES = ("received", "sent", "delivered", "read")
# A receipt may name a reply whose delivery attempt has not settled yet: the transport pushes
# the reply to the widget before the outbox commits `sent`, so the widget can draw it (and say
# so) while the row still says `pending`. Such a receipt is recorded, never dropped.
RECEIPT_STATUSES = ("pending", "sent", "delivered", "read")

RATES = {
    "session_ip": "60/m",
    "message_visitor": "20/m",
    "message_ip": "120/m",
    "upload_visitor": "10/h",
    "search_ip": "60/m",
    "email_visitor": "5/h",
}


class WidgetError(ActionError):
    """A refusal the widget shows: `code` names the text (too_long, slow_down...)."""

    def __init__(self, detail: str, *, code: str = "", status: int = 400) -> None:
        super().__init__(detail)
        self.code = code
        self.status = status


def config_of(inbox: Inbox) -> WebchatConfig:
    return WebchatConfig.model_validate(inbox.config or {})


# --- origins ------------------------------------------------------------------------------


def origin_allowed(config: WebchatConfig, origin: str | None, host: str | None) -> bool:
    """An origin listed on the inbox, or this server's own pages (the demo shop, previews).

    `origin` None means the request carried no Origin header (not a cross-site browser
    request: curl, a server); the caller decides whether that is acceptable.
    """
    if not origin or origin == "null":
        return False
    parsed = urlsplit(origin.lower())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return False
    normal = f"{parsed.scheme}://{parsed.netloc}"
    if normal in config.allowed_origins:
        return True
    return bool(host) and parsed.netloc == (host or "").lower()


# --- rate limits --------------------------------------------------------------------------


def allow(kind: str, who: str) -> bool:
    """Count one hit of `kind` for `who` (a visitor id or an IP); False once over the rate."""
    from django.core.cache import cache

    limit, seconds = parse_rate(RATES[kind])
    window = int(timezone.now().timestamp() // seconds)
    key = f"wc:{kind}:{who}:{window}"
    cache.add(key, 0, seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 1, seconds + 5)
        count = 1
    return count <= limit


def check_rate(kind: str, who: str) -> None:
    if not allow(kind, who):
        raise WidgetError("Too many requests. Try again in a minute.", code="slow_down",
                          status=429)


# --- sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """What the store's page says about the shopper (data-customer-* attributes)."""

    customer_id: str = ""
    email: str = ""
    name: str = ""
    signature: str = ""


def start_session(inbox: Inbox, token: str, claim: Claim, languages: list[str]) -> dict[str, Any]:
    """Renew or issue the visitor token and return everything the widget needs to draw."""
    config = config_of(inbox)
    visitor = read_visitor(token, inbox) if token else None
    if visitor is None:
        visitor = Visitor(inbox_id=inbox.pk, visitor_id=new_visitor_id())
    # The browser's language as of this session (the assistant's prior; see post_message).
    visitor = replace(visitor, language=browser_language(languages))
    verified = bool((claim.customer_id or claim.email) and verify_identity(
        inbox, customer_id=claim.customer_id.strip()[:200], email=claim.email.strip()[:254],
        signature=claim.signature))
    if verified:
        # The signature covers the customer id when there is one, else the email: an email
        # passed next to a signed id is not covered, so it is not trusted.
        customer_id = claim.customer_id.strip()[:200]
        visitor = Visitor(inbox_id=inbox.pk, visitor_id=visitor.visitor_id,
                          email="" if customer_id else claim.email.strip().lower()[:254],
                          customer_id=customer_id, language=visitor.language)
    elif visitor.verified and (claim.customer_id or claim.email):
        # A different, unverifiable claim on a verified token: fall back to anonymous.
        visitor = Visitor(inbox_id=inbox.pk, visitor_id=new_visitor_id(),
                          language=visitor.language)
    language = pick_language(languages)
    texts = texts_for(language, config.texts)
    if config.greeting and "greeting" not in config.texts.get(language, {}):
        # the inbox's one greeting, unless it was also written for this language
        texts["greeting"] = config.greeting
    return {
        "token": sign_visitor(visitor),
        "visitor": {"verified": visitor.verified,
                    "claimed": bool(claim.email or claim.customer_id)},
        "language": language,
        "texts": texts,
        "settings": widget_settings(config),
        "availability": availability(inbox, config),
        "messages": history(inbox, visitor),
    }


def widget_settings(config: WebchatConfig) -> dict[str, Any]:
    return {
        "color": config.color, "position": config.position, "avatar_url": config.avatar_url,
        "prechat_form": config.prechat_form, "help_search": config.help_search,
        "max_chars": MAX_TEXT_CHARS, "max_upload_bytes": settings.ATTACHMENT_MAX_BYTES,
    }


def availability(inbox: Inbox, config: WebchatConfig) -> dict[str, Any]:
    """{"online": bool, "back_at": iso or None}: open hours and an agent connected."""
    from storedesk.realtime.presence import agents_online

    now = timezone.now()
    if not config.is_open(now):
        nxt = config.next_opening(now)
        return {"online": False, "back_at": nxt.isoformat() if nxt else None}
    return {"online": agents_online(inbox.account_id), "back_at": None}


# --- messages -----------------------------------------------------------------------------


def visitor_messages(
    inbox: Inbox, visitor: Visitor, statuses: tuple[str, ...] = VISIBLE_STATUSES
) -> QuerySet[Message]:
    """Every message the visitor may see on this inbox: theirs and the public replies."""
    return (
        Message.objects.filter(
            inbox=inbox, account_id=inbox.account_id,
            conversation__identity__source_id=visitor.source_id, private=False,
            direction__in=(Direction.INCOMING, Direction.OUTGOING),
            delivery_status__in=statuses,
        )
        .select_related("sender_agent")
        .prefetch_related("attachments")
    )


def history(inbox: Inbox, visitor: Visitor, after: int | None = None) -> list[dict[str, Any]]:
    """The thread (newest HISTORY_LIMIT), or what came since the cursor message `after`."""
    from storedesk.connectors.webchat.transport import widget_message

    rows = visitor_messages(inbox, visitor)
    if after is not None:
        cursor = rows.filter(pk=after).values_list("created_at", flat=True).first()
        since = Q(pk__gt=after)
        if cursor is not None:
            since |= Q(created_at__gte=cursor - CATCH_UP_OVERLAP)
        rows = rows.filter(since)
    latest = list(rows.order_by("-created_at", "-pk")[:HISTORY_LIMIT])
    return [widget_message(m) for m in reversed(latest)]


def post_message(
    inbox: Inbox, visitor: Visitor, *, text: str, client_id: str, ip: str, name: str = "",
    email: str = "", page: str = "", files: list[IncomingFile] | None = None,
) -> Message:
    """The visitor wrote: one `receive_message`, idempotent on the widget's client id."""
    if not isinstance(text, str):
        raise WidgetError("The message must be text.")
    if len(text) > MAX_TEXT_CHARS:
        raise WidgetError(f"The message is longer than {MAX_TEXT_CHARS} characters.",
                          code="too_long")
    if not text.strip() and not files:
        raise WidgetError("The message is empty.")
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise WidgetError("A client id of 8 to 64 characters is required.")
    # Counted once the message is well-formed (refusing a bad one costs nothing).
    check_rate("message_visitor", visitor.visitor_id)
    check_rate("message_ip", ip)
    metadata: dict[str, Any] = {"webchat": {"verified": visitor.verified}}
    if visitor.customer_id:
        metadata["webchat"]["customer_id"] = visitor.customer_id
    if page:
        metadata["webchat"]["page"] = page[:500]
    if visitor.language:
        # The browser's language: the assistant's prior when it detects the message's language.
        metadata["webchat"]["language"] = visitor.language
    if email and not visitor.verified:
        # An unverified address: kept for replying by email, never used to find the contact.
        metadata["webchat"]["reply_email"] = email.strip().lower()[:254]
    received = receive_message(inbox, InboundMessage(
        sender_id=visitor.source_id,
        text=text,
        source_id=f"webchat:{visitor.visitor_id}:{client_id}",
        name=name.strip()[:MAX_NAME_CHARS],
        # Only a verified address joins the visitor to a known customer (and their orders).
        email=visitor.email if visitor.verified else "",
        attachments=files or (),
        metadata=metadata,
    ))
    return received.message


def leave_email(inbox: Inbox, visitor: Visitor, email: str, *, ip: str) -> Message:
    """Offline: the visitor leaves an address so replies also go by email."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    check_rate("email_visitor", visitor.visitor_id)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise WidgetError("Enter a valid email address.", code="email") from exc
    return post_message(inbox, visitor, text=f"✉ {email}", client_id=f"email-{email}"[:64],
                        ip=ip, email=email)


def reply_email(message: Message) -> str:
    """The address a chat reply should also be emailed to ("" when the visitor left none)."""
    rows = (
        Message.objects.filter(conversation_id=message.conversation_id,
                               direction=Direction.INCOMING)
        .order_by("-pk")
        .values_list("metadata", flat=True)[:50]
    )
    for metadata in rows:
        email = ((metadata or {}).get("webchat") or {}).get("reply_email")
        if email:
            return str(email)
    return ""


def acknowledge(inbox: Inbox, visitor: Visitor, message_id: int, status: str) -> bool:
    """The widget showed (delivered) or the visitor saw (read) a reply.

    True when the reply is one of this visitor's and now carries at least `status` (recorded
    now or before: receipts are monotonic, a repeat is harmless), so the widget may forget the
    receipt; False when the id names no reply of theirs (nothing to retry).
    """
    if status not in ("delivered", "read"):
        raise WidgetError("Unknown receipt.")
    message = (
        visitor_messages(inbox, visitor, RECEIPT_STATUSES)
        .filter(pk=message_id, direction=Direction.OUTGOING)
        .first()
    )
    if message is None:
        return False
    try:
        record_receipt(message, status)
    except ActionError:
        return False
    return True


# --- help center and orders ---------------------------------------------------------------


def search_articles(inbox: Inbox, language: str, query: str) -> list[dict[str, Any]]:
    """Published public articles of the help center of the inbox's store."""
    from storedesk.helpcenter.models import HelpCenter
    from storedesk.helpcenter.queries import public_language
    from storedesk.helpcenter.search import search

    query = (query or "").strip()[:200]
    if not query or inbox.store_id is None:
        return []
    help_center = HelpCenter.objects.filter(store_id=inbox.store_id,
                                            account_id=inbox.account_id).first()
    if help_center is None:
        return []
    try:
        lang = public_language(help_center, language)
    except ActionError:  # not a language of this help center: its default one
        lang = help_center.default_language
    hits = search(help_center, lang, query, limit=5)
    return [
        {"title": hit.title, "snippet": hit.snippet,
         "url": f"/help/{help_center.slug}/{hit.language}/a/{hit.slug}/"}
        for hit in hits if not hit.internal
    ]


def orders(inbox: Inbox, visitor: Visitor) -> list[dict[str, Any]]:
    """The verified customer's recent orders; nothing at all for an unverified visitor."""
    if not visitor.verified:
        return []
    from storedesk.commerce.queries import orders_of_verified_customer

    found = orders_of_verified_customer(inbox.account_id, inbox.store_id,
                                        external_id=visitor.customer_id, email=visitor.email)
    found.sort(key=lambda o: o.placed_at, reverse=True)
    return [
        {"number": o.number, "status": o.get_status_display(),
         "fulfillment": o.get_fulfillment_status_display(), "total": str(o.total),
         "currency": o.currency, "placed_at": o.placed_at.isoformat()}
        for o in found[:5]
    ]


# --- the websocket ------------------------------------------------------------------------

# Close codes the widget treats as final (no reconnect): 4403 refused origin or inbox, 4401 bad
# token (the widget starts a new session first).
REFUSED = 4403
BAD_TOKEN = 4401


@dataclass(frozen=True)
class Opened:
    inbox: Inbox
    visitor: Visitor
    conversation_id: int | None
    catch_up: list[dict[str, Any]]
    seen: int | None = None  # the visitor's newest message an agent has read ("Seen")


def open_socket(key: str, token: str, origin: str | None, host: str | None,
                after: int | None) -> Opened | int:
    """Check a widget socket's inbox, origin and token; the visitor and what they missed."""
    from storedesk.connectors.webchat.tokens import inbox_for_key

    inbox = inbox_for_key(key)
    if inbox is None or not origin_allowed(config_of(inbox), origin, host):
        return REFUSED
    visitor = read_visitor(token, inbox)
    if visitor is None:
        return BAD_TOKEN
    from storedesk.inbox.queries import last_read_incoming

    conversation_id = latest_conversation_id(inbox, visitor)
    seen = (last_read_incoming(inbox.account_id, conversation_id)
            if conversation_id is not None else None)
    return Opened(inbox=inbox, visitor=visitor, conversation_id=conversation_id,
                  catch_up=history(inbox, visitor, after), seen=seen)


def latest_conversation_id(inbox: Inbox, visitor: Visitor) -> int | None:
    from storedesk.inbox.models import Conversation

    return (
        Conversation.objects.filter(inbox=inbox, account_id=inbox.account_id,
                                    identity__source_id=visitor.source_id)
        .order_by("-pk").values_list("pk", flat=True).first()
    )


def conversation_scope(inbox: Inbox, conversation_id: int) -> dict[str, Any] | None:
    """{id, team_id, assignee_id} for the agents' light-agent filter of a typing event."""
    from storedesk.inbox.models import Conversation

    row = Conversation.objects.filter(pk=conversation_id, inbox=inbox,
                                      account_id=inbox.account_id).values(
        "id", "team_id", "assignee_id").first()
    return dict(row) if row else None
