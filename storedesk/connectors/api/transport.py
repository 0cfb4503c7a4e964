"""API-channel inboxes: a reply is POSTed, signed, to the inbox's webhook URL.

The store's own system (or middleware the developer wrote) receives it and passes it on to the
shopper. The body carries the delivery id; the signature covers the timestamp, the delivery id
and the raw body (see storedesk.webhooks.signing), so the receiver can verify it and drop
repeats, and a captured request cannot be replayed under another id.

Outcome mapping: 2xx -> sent; 408, 425, 429, 5xx, timeouts and network errors -> retried;
redirects and any other 4xx, or a missing webhook URL -> failed permanently with a message that
tells the agent what to fix.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from storedesk.connectors.api.config import ApiConfig
from storedesk.connectors.base import SendResult, TransportError
from storedesk.core.safe_fetch import FetchError, safe_fetch
from storedesk.core.sealing import Unreadable
from storedesk.webhooks.signing import signature_headers

if TYPE_CHECKING:
    from storedesk.inbox.models import Delivery, Inbox, Message

EVENT = "message.created"
RETRYABLE_STATUSES = {408, 425, 429}
# We only need the status code; a chatty receiver must not fail the delivery.
RESPONSE_READ_LIMIT = 64 * 1024


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def attachments_payload(message: Message) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
        }
        for a in message.attachments.all().order_by("pk")
    ]


def webhook_payload(delivery: Delivery) -> dict[str, Any]:
    message = delivery.message
    conversation = message.conversation
    contact = conversation.contact
    return {
        "event": EVENT,
        "delivery_id": delivery.pk,
        "inbox_id": message.inbox_id,
        "conversation": {"id": conversation.pk, "display_id": conversation.display_id},
        "contact": {
            "id": contact.pk,
            "source_id": conversation.identity.source_id,
            "name": contact.name,
            "email": contact.email or None,
        },
        "message": {
            "id": message.pk,
            "text": message.text,
            "html": message.html,
            "content_type": message.content_type,
            "content": message.content if message.content_type != "text" else None,
            "sender_type": message.sender_type,
            "private": message.private,
            "created_at": _iso(message.created_at),
            "attachments": attachments_payload(message),
        },
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookTransport:
    def send(self, delivery: Delivery) -> SendResult:
        inbox = delivery.message.inbox
        url = _config(inbox).webhook_url
        if not url:
            raise TransportError(
                f"The inbox {inbox.name!r} has no webhook URL; set one in the inbox settings "
                "and retry.",
                permanent=True,
            )
        body = encode(webhook_payload(delivery))
        try:
            secret = inbox.signing_secret()
        except Unreadable as exc:
            raise TransportError(
                f"No configured encryption key opens the signing secret of {inbox.name!r}; "
                "put back the key it was sealed with (STOREDESK_ENCRYPTION_KEYS or "
                "STOREDESK_SECRET_KEY_FALLBACKS) and retry.", permanent=True) from exc
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            **signature_headers(secret, delivery.pk, body),
        }
        try:
            response = safe_fetch(
                "POST",
                url,
                headers=headers,
                content=body,
                follow_redirects=False,
                max_bytes=RESPONSE_READ_LIMIT,
                truncate=True,
            )
        except FetchError as exc:
            raise TransportError(
                f"Webhook delivery failed: {exc.message}", permanent=exc.permanent
            ) from exc
        status = response.status_code
        if 200 <= status < 300:
            return SendResult(provider_message_id=_remote_id(response.content))
        detail = _short(response.text)
        if status in RETRYABLE_STATUSES or status >= 500:
            raise TransportError(
                f"The webhook answered HTTP {status}{detail}; will retry.", permanent=False
            )
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            raise TransportError(
                f"The webhook URL redirects (HTTP {status}) to {location!r}; configure the "
                "final URL in the inbox settings.",
                permanent=True,
            )
        raise TransportError(
            f"The webhook refused the delivery with HTTP {status}{detail}.", permanent=True
        )


def _config(inbox: Inbox) -> ApiConfig:
    try:
        return ApiConfig.model_validate(inbox.config or {})
    except ValidationError as exc:
        raise TransportError(
            f"The inbox {inbox.name!r} has invalid settings; save them again in the inbox "
            "settings.",
            permanent=True,
        ) from exc


def _short(text: str) -> str:
    text = " ".join(text.split())[:200]
    return f": {text}" if text else ""


def _remote_id(content: bytes) -> str:
    """The receiver's id for the message, when it answers JSON with an "id"."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(data, dict) and isinstance(data.get("id"), str | int):
        return str(data["id"])[:255]
    return ""
