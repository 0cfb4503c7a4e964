"""Chat-widget inboxes: a reply is pushed to the shopper's open widget sockets.

Each visitor's widget connections join one channel-layer group per (inbox, visitor). The group
name hashes the visitor id so it stays short and valid whatever the id contains. The message is
also stored, so a widget that connects later loads it from the conversation history; a push with
nobody listening still counts as sent.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from storedesk.connectors.base import SendResult, TransportError

if TYPE_CHECKING:
    from storedesk.inbox.models import Delivery, Message

EVENT_TYPE = "webchat.message"


def visitor_group(inbox_id: int, source_id: str) -> str:
    """The channel-layer group of one visitor's widget connections on one inbox."""
    digest = hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:16]
    return f"webchat-{inbox_id}-{digest}"


def widget_message(message: Message) -> dict[str, Any]:
    """What the widget shows: never internal ids of agents, never private notes."""
    sender = message.sender_agent
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "text": message.text,
        "html": message.html,
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
        layer = get_channel_layer()
        if layer is None:
            raise TransportError(
                "No channel layer is configured (CHANNEL_LAYERS).", permanent=False
            )
        group = visitor_group(message.inbox_id, message.conversation.identity.source_id)
        try:
            async_to_sync(layer.group_send)(
                group, {"type": EVENT_TYPE, "message": widget_message(message)}
            )
        except Exception as exc:  # the layer (Redis) is down or refused: try again later
            raise TransportError(
                f"Could not push to the chat widget: {exc}", permanent=False
            ) from exc
        return SendResult(provider_message_id=f"webchat:{delivery.pk}")
