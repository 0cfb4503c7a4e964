"""What a store webhook says about an event: a JSON snapshot taken when the event is fanned out.

    {"delivery_id": 812, "event": "message.received", "event_id": 4411, "account_id": 3,
     "occurred_at": "2026-11-30T12:00:00+00:00",
     "conversation": {"id": 90, "display_id": 17, "status": "open", ...} | null,
     "message": {"id": 501, "direction": "incoming", "text": "...", ...} | absent,
     "data": {... the event's own fields ...}}

`delivery_id` is added at send time (it is the row's id); the rest is stored on the delivery, so
a retry or a redelivery sends the same facts even if the conversation has changed since.
"""

from __future__ import annotations

import json
from typing import Any

from storedesk.events.models import Event
from storedesk.inbox.models import Message


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def event_payload(event: Event) -> dict[str, Any]:
    data = dict(event.data or {})
    payload: dict[str, Any] = {
        "event": event.kind,
        "event_id": event.pk,
        "account_id": event.account_id,
        "occurred_at": _iso(event.created_at),
        "actor": {"type": event.actor_type, "agent_id": event.actor_agent_id},
        "conversation": None,
        "data": data,
    }
    conversation = event.conversation
    if conversation is not None:
        payload["conversation"] = {
            "id": conversation.pk,
            "display_id": conversation.display_id,
            "inbox_id": conversation.inbox_id,
            "contact_id": conversation.contact_id,
            "status": conversation.status,
            "priority": conversation.priority,
            "assignee_id": conversation.assignee_id,
            "team_id": conversation.team_id,
        }
    message_id = data.get("message_id")
    if isinstance(message_id, int):
        message = Message.objects.filter(account_id=event.account_id, pk=message_id).first()
        if message is not None:
            payload["message"] = {
                "id": message.pk,
                "direction": message.direction,
                "sender_type": message.sender_type,
                "private": message.private,
                "text": message.text,
                "html": message.html,
                "delivery_status": message.delivery_status,
                "created_at": _iso(message.created_at),
            }
    return payload


def encode(payload: dict[str, Any], delivery_id: int) -> bytes:
    """The exact body bytes sent (and signed): compact UTF-8 JSON, delivery id first."""
    body = {"delivery_id": delivery_id, **payload}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
