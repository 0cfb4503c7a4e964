"""Starting a return under the store's return policy (window, non-returnable items, condition)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.commerce import events
from storedesk.commerce.actions.refunds import _agent
from storedesk.commerce.models import (
    Order,
    OrderLine,
    OrderStatus,
    Platform,
    Return,
    ReturnLine,
    ReturnStatus,
    Store,
)
from storedesk.core.errors import ActionError, InvalidTransition
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.inbox.models import Conversation


@dataclass(frozen=True)
class ReturnItem:
    line_id: int
    quantity: int
    condition: str = ""


def return_window_start(order: Order) -> datetime:
    """The policy window runs from delivery (the last delivered shipment), else from the order."""
    delivered = [s.delivered_at for s in order.shipments.all() if s.delivered_at is not None]
    return max(delivered) if delivered else order.placed_at


def line_category(line: OrderLine) -> str:
    if line.variant is None:
        return ""
    return line.variant.category or line.variant.product.category


def policy_problems(order: Order, items: list[ReturnItem], now: datetime) -> list[str]:
    """Why these items may not be returned under the store's policy (empty: they may)."""
    store: Store = order.store
    problems: list[str] = []
    if order.status == OrderStatus.CANCELLED:
        problems.append(f"Order #{order.number} is cancelled.")
    days = (now - return_window_start(order)).days
    if days > store.return_window_days:
        problems.append(
            f"The return window of {store.return_window_days} days closed "
            f"({days} days since delivery)."
        )
    blocked = {c.strip().lower() for c in store.non_returnable_categories or [] if c}
    lines = {
        line.pk: line for line in order.lines.select_related("variant__product").all()
    }
    for item in items:
        line = lines.get(item.line_id)
        if line is None:
            problems.append(f"Line {item.line_id} is not on order #{order.number}.")
            continue
        left = line.quantity - line.returned_quantity
        if not 1 <= item.quantity <= left:
            problems.append(f"{line.title}: 1 to {left} can be returned.")
        if line.variant is not None and not line.variant.returnable:
            problems.append(f"{line.title} is not returnable.")
        category = line_category(line)
        if category and category.lower() in blocked:
            problems.append(f"{line.title}: {category} items are not returnable.")
    return problems


def start_return(
    order: Order, actor: Actor, items: list[ReturnItem], *, reason: str,
    conversation: Conversation | None = None,
) -> Return:
    """Authorise a return (RMA) within policy; outside it, say exactly why not."""
    if not reason.strip():
        raise ActionError("A return needs a reason.")
    if not items:
        raise ActionError("Choose the lines that come back.")
    if len({item.line_id for item in items}) != len(items):
        raise ActionError("A line is listed twice.")
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("store").get(pk=order.pk)
        problems = policy_problems(order, items, timezone.now())
        if problems:
            raise InvalidTransition(" ".join(problems))
        store = order.store
        n = Return.objects.filter(order=order).count() + 1
        instructions = "\n\n".join(
            part for part in (
                store.return_instructions.strip(),
                f"Condition: {store.return_condition.strip()}" if store.return_condition else "",
            ) if part
        )
        return_request = Return.objects.create(
            account_id=order.account_id, order=order,
            rma_number=f"RMA-{order.store_id}-{order.number}-{n}"[:32],
            reason=reason.strip()[:500], status=ReturnStatus.APPROVED,
            instructions=instructions, created_by_id=actor.agent_id, conversation=conversation,
        )
        for item in items:
            ReturnLine.objects.create(
                account_id=order.account_id, return_request=return_request,
                line_id=item.line_id, quantity=item.quantity, condition=item.condition[:200],
            )
            OrderLine.objects.filter(pk=item.line_id).update(
                returned_quantity=F("returned_quantity") + item.quantity
            )
        events.record_order_event(
            order, conversation, events.RETURN_CREATED, actor, return_id=return_request.pk,
            rma_number=return_request.rma_number,
        )
        audit("return.created", account=order.account_id, actor=_agent(actor),
              obj=return_request, order=order.pk, rma=return_request.rma_number)
        if store.platform != Platform.CUSTOM:
            from storedesk.commerce.tasks import push_return

            enqueue_on_commit(push_return, return_request.pk)
    return return_request
