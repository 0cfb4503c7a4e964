"""Timeline rows (domain events on a conversation) and the realtime payloads describing them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storedesk.accounts.actor import Actor
from storedesk.events import EventKind, record
from storedesk.events.models import Event
from storedesk.inbox.models import Conversation, Message


def record_event(
    conversation: Conversation,
    kind: EventKind,
    actor: Actor,
    *,
    occurred_at: datetime | None = None,
    historic: bool = False,
    **data: Any,
) -> Event:
    """Write one domain event on the conversation's timeline, inside the caller's transaction
    (`occurred_at` and `historic`: see `storedesk.events.recording`)."""
    return record(
        kind, actor, account_id=conversation.account_id, conversation_id=conversation.pk,
        data=data, at=occurred_at, historic=historic,
    )


def conversation_payload(
    conversation: Conversation, *, tags: list[str] | None = None
) -> dict[str, Any]:
    """What agents' browsers learn about a conversation in a realtime event.

    `tags` is included only by the actions that change them (it costs a query).
    """
    payload = {
        "id": conversation.pk,
        "display_id": conversation.display_id,
        "inbox_id": conversation.inbox_id,
        "contact_id": conversation.contact_id,
        "status": conversation.status,
        "priority": conversation.priority,
        "assignee_id": conversation.assignee_id,
        "team_id": conversation.team_id,
        "language": conversation.language,
        "last_message_at": _iso(conversation.last_message_at),
    }
    if tags is not None:
        payload["tags"] = tags
    return payload


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "sender_type": message.sender_type,
        "private": message.private,
        "text": message.text[:500],
        "delivery_status": message.delivery_status,
        "created_at": _iso(message.created_at),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
