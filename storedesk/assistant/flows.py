"""The flows: what the bot does for each intent, in the shopper's language.

A flow is a function of a `Turn` (the conversation, the message, what the NLU understood, who
the shopper is verified as) that adds replies, may act on an order through the commerce
actions (within the store's rules and the bot's limits) and may ask for a hand-off. Facts come
only from live rows (orders, shipments, refunds, the store's policy, the help center); a flow
never states what it did not read. `FLOWS` is the one table from intent to flow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.assistant.identity import Identity, find_order
from storedesk.assistant.models import AssistantSettings, BotAction, ConversationState
from storedesk.commerce import actions as commerce
from storedesk.commerce.models import (
    FinancialStatus,
    FulfillmentStatus,
    Order,
    OrderStatus,
    Product,
    RefundStatus,
    ShipmentStatus,
    ShippingRate,
    Store,
    Variant,
)
from storedesk.core.errors import ActionError
from storedesk.inbox.models import Conversation, Message

ORDER_INTENTS = frozenset({
    "order_status", "cancel_order", "change_order", "change_address", "return_request",
    "refund_request", "refund_status",
})
ARTICLE_INTENTS = frozenset({
    "payment", "invoice", "product_question", "discount", "account", "purchase_help",
    "newsletter", "delivery_info", "return_policy",
})
SAFE_LINK = ("https://", "http://")
# Where a shopper writing in a language most likely lives, when no order says it.
COUNTRY_OF_LANGUAGE = {"pl": "PL", "tr": "TR", "id": "ID", "th": "TH", "de": "DE", "es": "ES",
                       "fr": "FR", "pt": "PT", "it": "IT", "nl": "NL"}


@dataclass
class Turn:
    conversation: Conversation
    message: Message
    store: Store | None
    settings: AssistantSettings
    state: ConversationState
    identity: Identity
    actor: Actor
    language: str
    intent: str
    confidence: float
    entities: Any  # nlu.Entities
    may_act: bool  # False in suggest-only mode: the agent decides what happens to orders
    replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    handoff: str = ""  # why the conversation goes to a human ("" = it does not)
    urgent: bool = False
    order: Order | None = None  # the order the turn was about
    requests: list[str] = field(default_factory=list)  # what the team was asked to do
    # What the model read this message as (its best in-scope intent and that intent's own
    # probability), and whether that was under the floor to act on (`intent` is then "other").
    guess: tuple[str, float] = ("other", 0.0)
    unsure: bool = False

    def say(self, key: str, **params: Any) -> None:
        self.replies.append((key, params))

    def hand_off(self, reason: str) -> None:
        self.handoff = self.handoff or reason


def _day(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def _link(url: str) -> str:
    return url if url.startswith(SAFE_LINK) else ""


# --- Finding the order ----------------------------------------------------------------------


def _is_open(order: Order) -> bool:
    if order.status != OrderStatus.OPEN:
        return False
    shipments = list(order.shipments.all())
    return not shipments or any(s.status != ShipmentStatus.DELIVERED for s in shipments)


def resolve_order(turn: Turn, *, prefer: Callable[[Order], bool] = _is_open) -> Order | None:
    """The order this turn is about, when the shopper may hear about it; else ask, and None."""
    numbers = tuple(turn.entities.order_numbers)
    if numbers:
        number = numbers[0]
        order = find_order(turn.conversation, number)
        if order is not None and order.pk in turn.identity.order_ids:
            return order
        # Unknown or not (yet) theirs: the same question either way, so nothing leaks.
        turn.state.pending = {"awaiting": "verification", "intent": turn.intent,
                              "number": number, "order_id": order.pk if order else None}
        turn.say("ask_verification", order=number)
        return None
    orders = turn.identity.orders
    preferred = [o for o in orders if prefer(o)]
    if len(preferred) == 1:
        return preferred[0]
    if len(preferred) > 1:
        options = preferred[:5]
        turn.state.pending = {"awaiting": "order_choice", "intent": turn.intent,
                              "options": [o.pk for o in options]}
        turn.say("ask_which_order", orders=", ".join(o.number for o in options))
        return None
    if orders:
        return orders[0]
    if not turn.identity.verified:
        turn.state.pending = {"awaiting": "verification", "intent": turn.intent,
                              "number": "", "order_id": None}
        if turn.intent == "return_request" and turn.store is not None:
            # "How do I return an item?" from a shopper the bot cannot tie to an order yet:
            # how returns work is for anyone; starting one needs the order and its check.
            return_policy(turn)
            turn.say("ask_identity_return")
        else:
            turn.say("ask_identity")
        return None
    turn.say("no_orders")
    turn.hand_off("no order found for the verified shopper")
    return None


def _unshipped(order: Order) -> bool:
    return (order.status == OrderStatus.OPEN
            and order.fulfillment_status == FulfillmentStatus.UNFULFILLED
            and not order.shipments.exists())


def _delivered_at(order: Order) -> datetime | None:
    delivered = [s.delivered_at for s in order.shipments.all() if s.delivered_at is not None]
    return max(delivered) if delivered else None


def _done_before(turn: Turn, order: Order, intent: str) -> BotAction | None:
    return BotAction.objects.filter(conversation=turn.conversation, intent=intent,
                                    order=order).first()


def _record(turn: Turn, order: Order, intent: str, outcome: str, **data: Any) -> None:
    from storedesk.assistant.actions import record_bot_action

    record_bot_action(turn.conversation, order, intent, outcome, data)


def file_request(turn: Turn, order: Order, what: str) -> None:
    """Ask the team to do what the bot may not: a hand-off whose summary says what and why."""
    _record(turn, order, turn.intent, "requested")
    turn.requests.append(f"{what} order #{order.number}")
    turn.hand_off(f"the shopper asks to {what} order #{order.number}")


# --- Order flows ----------------------------------------------------------------------------


def order_status(turn: Turn, order: Order) -> None:
    turn.order = order
    if order.status == OrderStatus.CANCELLED:
        turn.say("order_cancelled", order=order.number, date=_day(order.cancelled_at))
        return
    shipments = list(order.shipments.all())
    if not shipments:
        if order.fulfillment_status != FulfillmentStatus.UNFULFILLED:
            # Marked fulfilled without a shipment we know of: say nothing we cannot see.
            turn.hand_off(f"order #{order.number} is {order.fulfillment_status} without "
                          "shipment details")
            turn.say("handoff")
            return
        turn.say("order_unfulfilled", order=order.number, date=_day(order.placed_at))
        return
    latest = shipments[-1]
    if all(s.status == ShipmentStatus.DELIVERED for s in shipments):
        turn.say("order_delivered", order=order.number, date=_day(_delivered_at(order)))
        return
    params = {"order": order.number, "carrier": latest.carrier or "-",
              "tracking": latest.tracking_number or "-",
              "url": _link(latest.tracking_url) or "-"}
    if latest.estimated_delivery:
        turn.say("order_shipped", eta=_day(latest.estimated_delivery), **params)
    else:
        turn.say("order_shipped_no_eta", **params)


def cancel_order(turn: Turn, order: Order) -> None:
    turn.order = order
    if order.status == OrderStatus.CANCELLED:
        turn.say("order_cancelled", order=order.number, date=_day(order.cancelled_at))
        return
    if not _unshipped(order):
        days = turn.store.return_window_days if turn.store else order.store.return_window_days
        turn.say("cancel_not_possible", order=order.number, days=days)
        return
    if _done_before(turn, order, "cancel_order") is not None:
        turn.say("already_requested", order=order.number)
        return
    if turn.may_act and turn.settings.may_cancel:
        try:
            commerce.cancel_order(
                order, turn.actor, conversation=turn.conversation,
                reason=f"Asked by the shopper in conversation #{turn.conversation.display_id}",
                refund_key=f"assistant:{turn.conversation.pk}:{order.pk}:cancel",
            )
        except ActionError:
            pass  # above the bot's refund limit, or changed meanwhile: the team decides
        else:
            _record(turn, order, "cancel_order", "cancelled")
            turn.say("cancel_done", order=order.number)
            return
    file_request(turn, order, "cancel")
    turn.say("cancel_requested", order=order.number)


def change_address(turn: Turn, order: Order) -> None:
    """With the store's leave (`may_change_address`) the bot takes the new address in the chat,
    reads it back for a yes, and applies it through `commerce.edit_shipping_address`
    (engine.py handles the answers); otherwise the team is asked."""
    turn.order = order
    if not _unshipped(order):
        turn.say("change_not_possible", order=order.number)
        return
    earlier = _done_before(turn, order, "change_address")
    if earlier is not None and earlier.outcome == "requested":
        turn.say("already_requested", order=order.number)
        return
    if not (turn.may_act and turn.settings.may_change_address):
        file_request(turn, order, "change the delivery address of")
        turn.say("change_requested", order=order.number)
        return
    ask_address(turn, order, _without_order_numbers(turn))


def _without_order_numbers(turn: Turn) -> str:
    text = turn.message.text
    for number in turn.entities.order_numbers:
        text = text.replace(f"#{number}", " ").replace(number, " ")
    return text


def ask_address(turn: Turn, order: Order, text: str) -> None:
    """Read the address back for a yes when the message holds one, else ask for it."""
    from storedesk.assistant.address import one_line, parse_address

    address = parse_address(text, order.shipping_address or {})
    if address is None:
        turn.state.pending = {"awaiting": "address", "intent": "change_address",
                              "order_id": order.pk}
        turn.say("ask_address", order=order.number)
        return
    turn.state.pending = {"awaiting": "address_confirm", "intent": "change_address",
                          "order_id": order.pk, "address": address}
    turn.say("confirm_address", order=order.number, address=one_line(address))


def apply_address(turn: Turn, order: Order, address: dict[str, str]) -> None:
    """The shopper said yes: change the address through commerce (which checks again that
    the order has not shipped meanwhile)."""
    from storedesk.assistant.address import one_line

    turn.order = order
    turn.intent = "change_address"
    try:
        commerce.edit_shipping_address(order, turn.actor, address,
                                       conversation=turn.conversation)
    except ActionError as exc:
        order.refresh_from_db()
        if not _unshipped(order):
            turn.say("change_not_possible", order=order.number)
            return
        file_request(turn, order, "change the delivery address of")
        turn.hand_off(f"the new address of order #{order.number} was refused: {exc.detail}")
        turn.say("change_requested", order=order.number)
        return
    _record(turn, order, "change_address", "changed", address=one_line(address))
    turn.say("address_changed", order=order.number, address=one_line(address))


def change_order(turn: Turn, order: Order) -> None:
    """Item changes. With the store's leave (`may_change_items`), a message naming one line of
    the order (its product, or the order's only line) and, unambiguously, another size or
    colour of that product that costs no more, the bot reads the swap back for a yes and
    applies it through `commerce.edit_order_lines` (engine.py handles the answer). In every
    other case the team is asked, and the shopper is told so."""
    turn.order = order
    if not _unshipped(order):
        turn.say("change_not_possible", order=order.number)
        return
    earlier = _done_before(turn, order, "change_order")
    if earlier is not None:
        if earlier.outcome == "changed" and isinstance(earlier.data, dict):
            turn.say("items_changed", order=order.number, **_swap_words(earlier.data))
        else:
            turn.say("already_requested", order=order.number)
        return
    swap = _item_swap(turn, order) if turn.may_act and turn.settings.may_change_items else None
    if swap is None:
        file_request(turn, order, "change the items of")
        turn.say("change_requested", order=order.number)
        return
    turn.state.pending = {"awaiting": "item_confirm", "intent": "change_order",
                          "order_id": order.pk, **swap}
    turn.say("confirm_item_change", order=order.number, **_swap_words(swap))


def _label(variant: Any) -> str:
    title, product = str(variant.title or ""), variant.product.title
    return product if not title or title in (product, "Default Title") else f"{product} ({title})"


def _swap_words(swap: dict[str, Any]) -> dict[str, Any]:
    return {"quantity": swap.get("quantity", ""), "old": swap.get("old", ""),
            "new": swap.get("new", "")}


def _item_swap(turn: Turn, order: Order) -> dict[str, Any] | None:
    """The swap the message asks for, when it is unambiguous and costs no more; else None."""
    from storedesk.assistant.items import named_variant
    from storedesk.commerce.models import Variant

    lines = list(order.lines.select_related("variant__product"))
    named = {p.product_id for p in turn.entities.products}
    if named:
        lines = [line for line in lines if line.variant is not None
                 and line.variant.product.external_id in named]
    if len(lines) != 1 or lines[0].variant is None:
        return None
    line, current = lines[0], lines[0].variant
    others = (Variant.objects.filter(account_id=order.account_id, store_id=order.store_id,
                                     product_id=current.product_id)
              .exclude(pk=current.pk).select_related("product"))
    target = named_variant(_without_order_numbers(turn), current, others)
    if target is None:
        return None
    try:
        difference = commerce.price_difference(
            order, [commerce.LineChange(line.pk, line.quantity, target.pk)])
    except ActionError:
        return None  # out of stock, already refunded in part...: the team decides
    if difference > 0:
        return None  # dearer: the shopper would have to pay the difference
    return {"line_id": line.pk, "variant_id": target.pk, "quantity": line.quantity,
            "old": _label(current), "new": _label(target), "difference": str(-difference)}


def apply_item_change(turn: Turn, order: Order, swap: dict[str, Any]) -> None:
    """The shopper said yes: swap the item through commerce (which checks everything again:
    not shipped meanwhile, in stock, the bot's refund limit for a cheaper item)."""
    turn.order = order
    turn.intent = "change_order"
    key = f"assistant:{turn.conversation.pk}:{order.pk}:items"
    try:
        outcome = commerce.edit_order_lines(
            order, turn.actor,
            [commerce.LineChange(int(swap["line_id"]), int(swap["quantity"]),
                                 int(swap["variant_id"]))],
            idempotency_key=key, conversation=turn.conversation,
            reason=f"Asked by the shopper in conversation #{turn.conversation.display_id}")
    except (ActionError, KeyError, TypeError, ValueError) as exc:
        order.refresh_from_db()
        if not _unshipped(order):
            turn.say("change_not_possible", order=order.number)
            return
        file_request(turn, order, "change the items of")
        turn.hand_off(f"the item change on order #{order.number} was refused: "
                      f"{getattr(exc, 'detail', exc)}")
        turn.say("change_requested", order=order.number)
        return
    words = _swap_words(swap)
    _record(turn, order, "change_order", "changed", **words)
    edit = outcome.edit
    amount = _money(-edit.difference, order.currency)
    if edit.refund is not None:
        turn.say("items_changed_refunded", order=order.number, amount=amount, **words)
    elif edit.approval is not None:
        turn.say("items_changed_refund_pending", order=order.number, amount=amount, **words)
    else:
        turn.say("items_changed", order=order.number, **words)


def _returnable_lines(turn: Turn, order: Order) -> tuple[list[Any], list[Any]]:
    """(returnable lines, lines the policy excludes) among those the shopper means and that
    are not already on their way back."""
    from storedesk.commerce.actions.returns import line_category

    lines = [line for line in _meant_lines(turn, order)
             if line.quantity - line.returned_quantity > 0]
    store = order.store
    blocked = {c.strip().lower() for c in store.non_returnable_categories or [] if c}
    ok, excluded = [], []
    for line in lines:
        category = line_category(line).lower()
        if (line.variant is not None and not line.variant.returnable) or category in blocked:
            excluded.append(line)
        else:
            ok.append(line)
    return ok, excluded


def _meant_lines(turn: Turn, order: Order) -> list[Any]:
    """The order's lines the shopper names (by product), else all of them."""
    lines = list(order.lines.select_related("variant__product").all())
    named = {p.product_id for p in turn.entities.products}
    if named:
        meant = [line for line in lines if line.variant is not None
                 and line.variant.product.external_id in named]
        return meant or lines
    return lines


def _existing_return(turn: Turn, order: Order) -> Any:
    """The return already under way for everything the shopper means (by the bot in any
    conversation, or by an agent), or None when something is still to be returned."""
    from storedesk.commerce.models import ReturnStatus

    meant = _meant_lines(turn, order)
    if not meant or any(line.quantity - line.returned_quantity > 0 for line in meant):
        return None
    return (order.returns.exclude(status__in=(ReturnStatus.REJECTED, ReturnStatus.CANCELLED))
            .order_by("-created_at", "-pk").first())


def _window_closed(order: Order) -> bool:
    from storedesk.commerce.actions.returns import return_window_start

    days = (timezone.now() - return_window_start(order)).days
    return days > order.store.return_window_days


def return_request(turn: Turn, order: Order) -> None:
    turn.order = order
    if order.status == OrderStatus.CANCELLED:
        turn.say("order_cancelled", order=order.number, date=_day(order.cancelled_at))
        return
    if _unshipped(order):
        turn.say("return_not_shipped", order=order.number)
        return
    earlier = _done_before(turn, order, "return_request")
    if earlier is not None:
        if earlier.outcome == "started":
            turn.say("return_started", order=order.number, **earlier.data)
        else:
            turn.say("already_requested", order=order.number)
        return
    existing = _existing_return(turn, order)
    if existing is not None:
        # Already done (here, in another conversation or by an agent): say so, with its RMA.
        turn.say("return_already_started", order=order.number, rma=existing.rma_number,
                 instructions=existing.instructions)
        return
    if _window_closed(order):
        turn.say("return_window_closed", order=order.number, days=order.store.return_window_days)
        turn.hand_off(f"return asked after the {order.store.return_window_days}-day window "
                      f"of order #{order.number}")
        return
    lines, excluded = _returnable_lines(turn, order)
    if not lines:
        turn.say("return_not_returnable", order=order.number,
                 items=", ".join(line.title for line in excluded) or "-")
        turn.hand_off(f"return of non-returnable items of order #{order.number}")
        return
    items = ", ".join(f"{line.quantity - line.returned_quantity} x {line.title}"
                      for line in lines)
    if turn.may_act and turn.settings.may_start_returns:
        try:
            started = commerce.start_return(
                order, turn.actor,
                [commerce.ReturnItem(line_id=line.pk,
                                     quantity=line.quantity - line.returned_quantity)
                 for line in lines],
                reason=f"Asked by the shopper in conversation #{turn.conversation.display_id}: "
                       f"{turn.message.text[:300]}",
                conversation=turn.conversation,
            )
        except ActionError:
            pass  # the policy said no after all: the team looks at it
        else:
            data = {"rma": started.rma_number, "items": items,
                    "instructions": started.instructions}
            _record(turn, order, "return_request", "started", **data)
            turn.say("return_started", order=order.number, **data)
            return
    file_request(turn, order, "return items of")
    turn.say("return_requested", order=order.number, days=order.store.return_window_days)


def _refund_already(turn: Turn, order: Order) -> bool:
    """Say so when the refund the shopper asks for was already made or is waiting for the
    team (from this conversation, another one, or an agent); False when it was not."""
    refunds = order.refunds.exclude(status=RefundStatus.FAILED)
    if order.refundable_amount <= 0 and refunds.exists():
        latest = refunds.order_by("-created_at", "-pk").first()
        assert latest is not None
        turn.say("refund_done", order=order.number,
                 amount=_money(order.refunded_total, order.currency),
                 date=_day(latest.created_at))
        return True
    waiting = order.approvals.filter(status="pending").order_by("-created_at").first()
    if waiting is not None:
        turn.say("refund_in_review", order=order.number,
                 amount=_money(waiting.amount, order.currency))
        return True
    return False


def refund_request(turn: Turn, order: Order) -> None:
    turn.order = order
    if _refund_already(turn, order):
        return
    if order.financial_status in (FinancialStatus.PENDING, FinancialStatus.VOIDED) or \
            order.refundable_amount <= 0:
        turn.say("refund_not_paid", order=order.number)
        return
    if _delivered_at(order) is not None and _window_closed(order):
        turn.say("return_window_closed", order=order.number, days=order.store.return_window_days)
        turn.hand_off(f"refund asked after the {order.store.return_window_days}-day window "
                      f"of order #{order.number}")
        return
    if not turn.may_act:  # suggest-only: the agent decides on money
        file_request(turn, order, "refund")
        turn.say("handoff")
        return
    try:
        outcome = commerce.request_refund(
            order, turn.actor,
            commerce.RefundAsk(
                idempotency_key=f"assistant:{turn.conversation.pk}:{order.pk}:refund",
                reason=f"Asked by the shopper in conversation #{turn.conversation.display_id}: "
                       f"{turn.message.text[:300]}"),
            conversation=turn.conversation,
        )
    except ActionError as exc:
        turn.say("handoff")
        turn.hand_off(f"refund of order #{order.number} refused: {exc.detail}")
        return
    amount = (outcome.refund.amount if outcome.refund else
              outcome.approval.amount if outcome.approval else order.refundable_amount)
    if outcome.replayed:
        turn.say("already_requested", order=order.number)
        return
    _record(turn, order, "refund_request",
            "refunded" if outcome.refund else "approval_requested",
            amount=str(amount))
    if outcome.refund is not None:
        turn.say("refund_done", order=order.number, amount=_money(amount, order.currency),
                 date=_day(outcome.refund.created_at))
    else:
        turn.say("refund_requested", order=order.number, amount=_money(amount, order.currency))


def refund_status(turn: Turn, order: Order) -> None:
    turn.order = order
    refund = order.refunds.exclude(status=RefundStatus.FAILED).order_by("-created_at").first()
    waiting = order.approvals.filter(status="pending").order_by("-created_at").first()
    if refund is not None and refund.status == RefundStatus.SUCCEEDED:
        turn.say("refund_done", order=order.number, amount=_money(refund.amount, refund.currency),
                 date=_day(refund.created_at))
    elif refund is not None or waiting is not None:
        amount = refund.amount if refund is not None else waiting.amount  # type: ignore[union-attr]
        turn.say("refund_in_review", order=order.number, amount=_money(amount, order.currency))
    else:
        turn.say("refund_none", order=order.number)
        turn.hand_off(f"no refund recorded on order #{order.number}")


ORDER_FLOWS: dict[str, Callable[[Turn, Order], None]] = {
    "order_status": order_status,
    "cancel_order": cancel_order,
    "change_order": change_order,
    "change_address": change_address,
    "return_request": return_request,
    "refund_request": refund_request,
    "refund_status": refund_status,
}


def _prefer_for(intent: str) -> Callable[[Order], bool]:
    if intent in ("cancel_order", "change_order", "change_address"):
        return _unshipped
    if intent in ("return_request",):
        return lambda o: o.status == OrderStatus.OPEN and _delivered_at(o) is not None
    if intent in ("refund_status",):
        return lambda o: o.refunds.exists() or o.approvals.filter(status="pending").exists()
    if intent == "refund_request":
        return lambda o: o.status == OrderStatus.OPEN and o.refundable_amount > 0 and \
            o.financial_status not in (FinancialStatus.PENDING, FinancialStatus.VOIDED)
    return _is_open


def run_order_flow(turn: Turn, order: Order | None = None) -> None:
    if order is None:
        order = resolve_order(turn, prefer=_prefer_for(turn.intent))
        if order is None:
            return
    ORDER_FLOWS[turn.intent](turn, order)


# --- Answers from the store and the help center ---------------------------------------------


def article_for(turn: Turn, query: str) -> tuple[str, str] | None:
    """(title, url) of the best public help-center article in the shopper's language."""
    if turn.store is None:
        return None
    from storedesk.helpcenter.models import HelpCenter
    from storedesk.helpcenter.queries import languages_of
    from storedesk.helpcenter.search import search

    center = HelpCenter.objects.filter(account_id=turn.conversation.account_id,
                                       store=turn.store, is_public=True).first()
    if center is None or turn.language not in languages_of(center):
        return None
    hits = [h for h in search(center, turn.language, query[:600], limit=3) if not h.internal]
    if not hits:
        return None
    hit = hits[0]
    url = f"{django_settings.BASE_URL}/help/{center.slug}/{hit.language}/a/{hit.slug}/"
    return hit.title, url


def _say_article(turn: Turn, query: str) -> bool:
    found = article_for(turn, query)
    if found is None:
        return False
    turn.say("article", title=found[0], url=found[1])
    return True


def _country(turn: Turn) -> str:
    for order in turn.identity.orders:
        country = str((order.shipping_address or {}).get("country") or "").upper()
        if len(country) == 2:
            return country
    return COUNTRY_OF_LANGUAGE.get(turn.language, "*")


def delivery_info(turn: Turn) -> None:
    if turn.store is None:
        return _nothing_to_say(turn)
    country = _country(turn)
    rates = list(ShippingRate.objects.filter(account_id=turn.conversation.account_id,
                                             store=turn.store, country=country)
                 .order_by("cost", "method"))
    if not rates:
        rates = list(ShippingRate.objects.filter(account_id=turn.conversation.account_id,
                                                 store=turn.store, country="*")
                     .order_by("cost", "method"))
    if rates:
        from storedesk.assistant.replies import render

        lines = [render("rate_line", turn.language, {
            "method": r.method, "cost": _money(r.cost, turn.store.currency),
            "min": r.min_days, "max": r.max_days}, turn.settings.reply_overrides)
            for r in rates]
        turn.say("delivery_rates", country=country if country != "*" else "-",
                 rates="; ".join(lines))
        if turn.store.free_shipping_threshold is not None:
            turn.say("free_shipping",
                     amount=_money(turn.store.free_shipping_threshold, turn.store.currency))
        _say_article(turn, turn.message.text)
        _status_of_the_open_order(turn)
        return None
    if not _say_article(turn, turn.message.text):
        _nothing_to_say(turn)
    return None


def _status_of_the_open_order(turn: Turn) -> None:
    """"When will my delivery come?" reads as a question about delivery times as often as about
    the shopper's own parcel: a verified shopper with exactly one open order also hears its
    status (the same answer as order_status; nothing for anyone else)."""
    if not turn.identity.verified:
        return
    open_orders = [o for o in turn.identity.orders if _is_open(o)]
    if len(open_orders) == 1 and (open_orders[0].shipments.exists() or
                                  open_orders[0].fulfillment_status ==
                                  FulfillmentStatus.UNFULFILLED):
        order_status(turn, open_orders[0])  # (one it would hand off is left to the question)


def return_policy(turn: Turn) -> None:
    if turn.store is None:
        return _nothing_to_say(turn)
    turn.say("return_policy", days=turn.store.return_window_days)
    _say_article(turn, turn.message.text)
    offer_return(turn)
    return None


def offer_return(turn: Turn) -> None:
    """After the return rules, a verified shopper with exactly one order that can be returned
    now is offered the return: "can I return the pillow? too firm" reads as a question about
    the rules as often as a wish to send it back, and a yes (engine) starts it."""
    if not (turn.identity.verified and turn.may_act and turn.settings.may_start_returns):
        return
    returnable = [o for o in turn.identity.orders
                  if o.status == OrderStatus.OPEN and _delivered_at(o) is not None
                  and not _window_closed(o) and _existing_return(turn, o) is None
                  and _returnable_lines(turn, o)[0]]
    if len(returnable) != 1:
        return
    turn.say("offer_return", order=returnable[0].number)
    turn.state.pending = {"awaiting": "return_offer", "intent": "return_request",
                          "order_id": returnable[0].pk}


def _product(turn: Turn) -> Product | None:
    if turn.store is None or not turn.entities.products:
        return None
    best = max(turn.entities.products, key=lambda p: p.score)
    return Product.objects.filter(account_id=turn.conversation.account_id, store=turn.store,
                                  external_id=best.product_id, active=True).first()


def _in_stock(product: Product) -> bool:
    return any(v.inventory > 0 for v in product.variants.all())


def _variant_label(variant: Variant) -> str:
    return variant.title or " / ".join(str(v) for v in (variant.options or {}).values())


def _mentions(label: str, text: str) -> bool:
    """The label as a word of the text; a short one (a size: S, M, XL) only as written, so
    "it's" is not the size S."""
    pattern = rf"(?<!\w){re.escape(label)}(?!\w)"
    flags = 0 if len(label) <= 2 else re.IGNORECASE
    return re.search(pattern, text, flags) is not None


def _named_variant(product: Product, text: str) -> Variant | None:
    """The one variant of a product with several that the shopper's words name (every option
    value of it, or its title: "the tee in XL", "the tote in Navy"); None when no single one
    is named."""
    variants = list(product.variants.all())
    if len(variants) < 2:
        return None
    named = []
    for variant in variants:
        labels = [str(v) for v in (variant.options or {}).values() if v] or (
            [variant.title] if variant.title and variant.title != product.title else [])
        if labels and all(_mentions(label, text) for label in labels):
            named.append(variant)
    return named[0] if len(named) == 1 else None


def product_question(turn: Turn) -> None:
    product = _product(turn)
    answered = False
    if product is not None:
        variant = _named_variant(product, turn.message.text)
        if variant is not None:
            available = variant.inventory > 0
            name = f"{product.title} ({_variant_label(variant)})"
        else:
            available, name = _in_stock(product), product.title
        turn.say("product_in_stock" if available else "product_out_of_stock", product=name)
        answered = True
    if not _say_article(turn, turn.message.text) and not answered:
        _nothing_to_say(turn)


def restock_alert(turn: Turn) -> None:
    """Subscribe the shopper to the product's back-in-stock notice, or to one variant's when
    they name it ("the tee in XL"): only that variant coming back tells them."""
    product = _product(turn)
    if product is None:
        return _nothing_to_say(turn)
    variant = _named_variant(product, turn.message.text)
    name = product.title if variant is None else f"{product.title} ({_variant_label(variant)})"
    if (variant.inventory > 0) if variant is not None else _in_stock(product):
        turn.say("product_in_stock", product=name)
        return None
    commerce.subscribe_restock(product, turn.conversation.contact, turn.actor,
                               conversation=turn.conversation, variant=variant)
    turn.say("restock_subscribed", product=name)
    return None


def article_flow(turn: Turn) -> None:
    if not _say_article(turn, turn.message.text):
        _nothing_to_say(turn)


def _nothing_to_say(turn: Turn) -> None:
    turn.say("handoff")
    turn.hand_off("no answer from the store's data or the help center")


def complaint(turn: Turn) -> None:
    turn.urgent = True
    turn.say("complaint")
    turn.hand_off("complaint / strong negative feeling")


def human_agent(turn: Turn) -> None:
    turn.say("handoff_human")
    turn.hand_off("the shopper asked for a person")


def smalltalk(turn: Turn) -> None:
    turn.say("smalltalk", store=turn.store.name if turn.store else "")


def feedback(turn: Turn) -> None:
    turn.say("feedback")


def unsure(turn: Turn) -> None:
    turn.say("handoff")
    turn.hand_off("the assistant is not sure what the shopper needs")


FLOWS: dict[str, Callable[[Turn], None]] = {
    **{intent: run_order_flow for intent in ORDER_FLOWS},
    "delivery_info": delivery_info,
    "return_policy": return_policy,
    "product_question": product_question,
    "restock_alert": restock_alert,
    "payment": article_flow,
    "invoice": article_flow,
    "discount": article_flow,
    "account": article_flow,
    "purchase_help": article_flow,
    "newsletter": article_flow,
    "complaint": complaint,
    "human_agent": human_agent,
    "smalltalk": smalltalk,
    "feedback": feedback,
    "other": unsure,
}
