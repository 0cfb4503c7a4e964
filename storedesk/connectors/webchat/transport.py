"""Chat-widget inboxes: a reply is pushed to the shopper's open widget sockets.

Each visitor's widget connections join one channel-layer group per (inbox, visitor); the
websocket consumer (`consumer.py`) forwards the pushed message to the browser, and the widget
answers with a `delivered` receipt once it has drawn it and `read` once the visitor has seen it
(`inbox.actions.record_receipt`), so the message's status says what the shopper really got:
`sent` = pushed to the channel layer (the widget also loads it on its next connect),
`delivered` = a widget showed it, `read` = the visitor had the chat open in front of them.
When no widget of the visitor is connected and they left an email address (offline form), the
reply also goes out by email, inside the same delivery attempt (so a mail failure is retried or
reported like the push): through the account's email inbox (the chat inbox's store's first,
else the account's first active one) with its own SMTP server, From address and signature, or,
when the account has no email inbox, through Django's mail backend (EMAIL_* settings).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.mail import EmailMessage

from storedesk.connectors.base import OutgoingMail, SendResult, TransportError
from storedesk.connectors.registry import connector_for
from storedesk.realtime.publish import group_send

if TYPE_CHECKING:
    from storedesk.inbox.models import Delivery, Inbox, Message

logger = logging.getLogger(__name__)

EVENT_TYPE = "webchat.message"
ONLINE_TTL_SECONDS = 150  # the widget pings every 60 s while its socket is open


def visitor_group(inbox_id: int, source_id: str) -> str:
    """The channel-layer group of one visitor's widget connections on one inbox."""
    digest = hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:16]
    return f"webchat-{inbox_id}-{digest}"


def online_key(inbox_id: int, source_id: str) -> str:
    return "wc:online:" + visitor_group(inbox_id, source_id)


def widget_message(message: Message) -> dict[str, Any]:
    """What the widget shows: text only (never HTML), never internal ids or private notes."""
    sender = message.sender_agent
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "text": message.text,
        "content_type": message.content_type,
        "content": message.content if message.content_type != "text" else None,
        "sender_type": message.sender_type,
        "sender_name": sender.display_name if sender is not None else "",
        "created_at": message.created_at.isoformat() if message.created_at else None,
        "attachments": [
            {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in message.attachments.all().order_by("pk")
        ],
    }


class WebchatTransport:
    def send(self, delivery: Delivery) -> SendResult:
        message = delivery.message
        if message.private:
            raise TransportError("Private notes are never sent to the shopper.", permanent=True)
        source_id = message.conversation.identity.source_id
        group = visitor_group(message.inbox_id, source_id)
        try:
            group_send(group, {"type": EVENT_TYPE, "message": widget_message(message)})
        except Exception as exc:  # the layer (Redis) is down or refused: try again later
            raise TransportError(
                f"Could not push to the chat widget: {exc}", permanent=False
            ) from exc
        if cache.get(online_key(message.inbox_id, source_id)) is None:
            self._email_if_left(message, delivery)
        return SendResult(provider_message_id=f"webchat:{delivery.pk}")

    def _email_if_left(self, message: Message, delivery: Delivery) -> None:
        from storedesk.connectors.webchat.visitor import reply_email

        address = reply_email(message)
        if not address:
            return
        inbox = message.inbox
        subject = f"{inbox.name}: reply to your chat"
        body = (
            f"{message.text}\n\n"
            f"{inbox.name}: a reply to your chat. Open the chat on our website to answer."
        )
        mailbox = email_inbox_for(inbox)
        connector = connector_for(mailbox.channel) if mailbox is not None else None
        if mailbox is not None and connector is not None and connector.mailer is not None:
            sender = message.sender_agent if message.sender_type == "agent" else None
            # TransportError from the mail inbox (5xx permanent, else retried) stands as is.
            connector.mailer(mailbox, OutgoingMail(
                to=address, subject=subject, body=body, reference=f"webchat.{delivery.pk}",
                sender_name=sender.display_name if sender is not None else ""))
            return
        try:
            EmailMessage(subject=subject, body=body, to=[address]).send()
        except Exception as exc:  # the chat push went out; the email is retried with it
            raise TransportError(f"Could not email the reply: {exc}", permanent=False) from exc


def email_inbox_for(inbox: Inbox) -> Inbox | None:
    """The email inbox whose mail server sends this chat inbox's offline replies: one of the
    same store first, else the account's first; active ones only."""
    from django.db.models import Case, IntegerField, Value, When

    from storedesk.inbox.models import Inbox

    return (
        Inbox.objects.filter(account_id=inbox.account_id, channel="email", is_active=True)
        .annotate(same_store=Case(When(store_id=inbox.store_id, then=Value(0)),
                                  default=Value(1), output_field=IntegerField()))
        .order_by("same_store", "pk").first()
    )
