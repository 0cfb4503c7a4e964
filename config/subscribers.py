"""The one dispatch table: event kind -> the subscribers (dotted paths) that react to it.

A subscriber is `def handler(event_id: int) -> None`, run on the worker as its own task after the
event's transaction commits, inside a transaction with its receipt (so it applies once even when
run twice). Writes it makes should use an actor `.caused_by(event_id)`. Kinds are the strings of
`storedesk.events.kinds.EventKind`; `manage.py check` verifies every kind and path.
"""

from __future__ import annotations

SUBSCRIBERS: dict[str, list[str]] = {}
