"""Event subscribers of the workflow (listed in config/subscribers.py).

Each runs on the worker in a transaction with its receipt (storedesk.events.dispatch), so a
repeat applies nothing twice.
"""

from __future__ import annotations

from storedesk.events.models import Event
from storedesk.workflow import sla


def sla_clock(event_id: int) -> None:
    """Start, pause, resume, meet or re-target the conversation's SLA clock."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None:
        return
    sla.on_event(event)
