"""The assistant's subscribers (listed in config/subscribers.py).

Each runs on the worker inside a transaction with its receipt, so a turn is applied once even
when the task runs twice.
"""

from __future__ import annotations

from storedesk.events.models import Event


def on_message_received(event_id: int) -> None:
    """A shopper wrote: understand it, then answer, suggest, act or hand off."""
    from storedesk.assistant.engine import respond

    respond(event_id)


def on_status_changed(event_id: int) -> None:
    """Resolved or closed: the bot may help again when the shopper comes back."""
    from storedesk.assistant.actions import wake_after_resolution

    event = Event.objects.filter(pk=event_id).select_related("conversation").first()
    if event is None or event.conversation is None:
        return
    if (event.data or {}).get("new") in ("resolved", "closed"):
        wake_after_resolution(event.conversation)


def on_product_back_in_stock(event_id: int) -> None:
    """A product is back: tell every shopper waiting for it, once."""
    from storedesk.assistant.notices import notify_back_in_stock

    notify_back_in_stock(event_id)
