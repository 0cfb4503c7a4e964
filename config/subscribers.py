"""The one dispatch table: event kind -> the subscribers (dotted paths) that react to it.

A subscriber is `def handler(event_id: int) -> None`, run on the worker as its own task after the
event's transaction commits, inside a transaction with its receipt (so it applies once even when
run twice). Writes it makes should use an actor `.caused_by(event_id)`. Kinds are the strings of
`storedesk.events.kinds.EventKind`; `manage.py check` verifies every kind and path.
"""

from __future__ import annotations

from storedesk.events.kinds import EventKind

# Outbound store webhooks may subscribe to any kind; the handler finds nothing to do (one
# indexed query) for accounts without a subscription that wants the kind.
WEBHOOKS = "storedesk.webhooks.subscriber.on_event"

SUBSCRIBERS: dict[str, list[str]] = {kind.value: [WEBHOOKS] for kind in EventKind}

# The assistant answers shoppers (storedesk/assistant/subscriber.py); it skips what it caused.
SUBSCRIBERS[EventKind.MESSAGE_RECEIVED.value].append(
    "storedesk.assistant.subscriber.on_message_received")
SUBSCRIBERS[EventKind.CONVERSATION_STATUS_CHANGED.value].append(
    "storedesk.assistant.subscriber.on_status_changed")
