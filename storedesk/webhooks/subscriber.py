"""The event subscriber (listed in config/subscribers.py for every kind): fan out to webhooks."""

from __future__ import annotations

from storedesk.webhooks.actions import fan_out


def on_event(event_id: int) -> None:
    """Queue one delivery per subscription that wants this event. Safe to run twice."""
    fan_out(event_id)
