"""The one paragraph an agent reads when the bot hands a conversation over."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storedesk.assistant.flows import Turn

QUOTE_CHARS = 400


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def handoff_summary(turn: Turn, replied: str) -> str:
    """Why, what the shopper wants, which order, who they are, what was already said."""
    parts = [f"Assistant hand-off: {turn.handoff}."]
    parts.append(f"Intent: {turn.intent} ({turn.confidence:.0%} sure); language: "
                 f"{turn.language}.")
    order = turn.order
    if order is not None:
        parts.append(f"Order: #{order.number} ({order.status}, {order.financial_status}, "
                     f"{order.fulfillment_status}).")
    elif turn.identity.orders:
        numbers = ", ".join(f"#{o.number}" for o in turn.identity.orders[:3])
        parts.append(f"No order named; the shopper's latest orders: {numbers}.")
    else:
        parts.append("No order identified.")
    if turn.identity.verified:
        parts.append(f"Identity: verified by the {turn.identity.channel} channel.")
    elif turn.state.verified_orders:
        parts.append("Identity: verified in the chat for this order.")
    else:
        parts.append("Identity: not verified (no order details were shared).")
    if turn.requests:
        parts.append("To do: " + "; ".join(turn.requests) + ".")
    parts.append(f"The shopper wrote: \"{_quote(turn.message.text)}\".")
    earlier = [t for t in (turn.state.said or []) if t]
    if earlier:
        parts.append(f"Earlier the assistant said: \"{_quote(earlier[-1])}\".")
    if replied:
        parts.append(f"The assistant replied: \"{_quote(replied)}\".")
    return " ".join(parts)
