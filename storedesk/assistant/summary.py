"""The one paragraph an agent reads when the bot hands a conversation over."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storedesk.inbox.models import Direction, Message

if TYPE_CHECKING:
    from storedesk.assistant.flows import Turn

QUOTE_CHARS = 400
EARLIER_MESSAGES = 2


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def handoff_summary(turn: Turn, replied: str) -> str:
    """Why, what the shopper wants, which order, who they are, what was already said."""
    parts = [f"Assistant hand-off: {turn.handoff}.",
             f"{_intent(turn)}; language: {turn.language}."]
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
    before = _earlier_messages(turn)
    if before:
        parts.append("Before that the shopper wrote: " + " / ".join(
            f"\"{_quote(text)}\"" for text in before) + ".")
    parts.append(f"The shopper wrote: \"{_quote(turn.message.text)}\".")
    earlier = [t for t in (turn.state.said or []) if t]
    if earlier:
        parts.append(f"Earlier the assistant said: \"{_quote(earlier[-1])}\".")
    if replied:
        parts.append(f"The assistant replied: \"{_quote(replied)}\".")
    return " ".join(parts)


def _intent(turn: Turn) -> str:
    """The intent the model guessed, with that intent's own probability; "unsure" when it was
    under the floor to act on (then the guess is only a hint for the agent)."""
    from storedesk.assistant.engine import ANSWER_FLOOR

    guessed, probability = turn.guess
    if turn.unsure and turn.intent == "other":
        if guessed == "other":
            return f"Intent: unsure (nothing the assistant handles; {probability:.0%} sure)"
        return (f"Intent: unsure (best guess {guessed} at {probability:.0%}, under the "
                f"{ANSWER_FLOOR:.0%} needed to act)")
    if turn.intent == guessed:
        return f"Intent: {guessed} ({probability:.0%} sure)"
    # The message answered the bot's earlier question (an order number, a check, a yes).
    return (f"Intent: {turn.intent} (following up the assistant's question; this message "
            f"read as {guessed} at {probability:.0%})")


def _earlier_messages(turn: Turn) -> list[str]:
    rows = (Message.objects.filter(conversation_id=turn.conversation.pk,
                                   direction=Direction.INCOMING, private=False,
                                   pk__lt=turn.message.pk)
            .order_by("-pk").values_list("text", flat=True)[:EARLIER_MESSAGES])
    return [text for text in reversed(list(rows)) if text.strip()]
