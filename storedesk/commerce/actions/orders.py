"""Order actions other than refunds: cancel, edit the shipping address, replace, goodwill code.

Each one locks the order, checks it may happen, writes, records a timeline row on the
conversation it came from and an audit row, and pushes to the platform after commit.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.commerce import events
from storedesk.commerce.actions.refunds import (
    RefundAsk,
    _agent,
    actor_role,
    check_money,
    request_refund,
)
from storedesk.commerce.models import (
    DiscountCode,
    FinancialStatus,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    Platform,
)
from storedesk.core.errors import ActionError, InvalidTransition, PermissionDenied
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.inbox.models import Conversation

ADDRESS_FIELDS = (
    "name", "company", "address1", "address2", "city", "province", "zip", "country", "phone",
)
REQUIRED_ADDRESS_FIELDS = ("address1", "city", "country")
MAX_GOODWILL_PERCENT = 50


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("store").get(pk=order.pk)


def _check_unfulfilled(order: Order, what: str) -> None:
    if order.status != OrderStatus.OPEN:
        raise InvalidTransition(f"Order #{order.number} is {order.status}; cannot {what}.")
    if order.fulfillment_status != FulfillmentStatus.UNFULFILLED or order.shipments.exists():
        raise InvalidTransition(f"Order #{order.number} has shipped; cannot {what}.")


def cancel_order(
    order: Order, actor: Actor, *, reason: str = "", refund_key: str = "",
    conversation: Conversation | None = None,
) -> Order:
    """Cancel an unfulfilled order; a paid one is refunded in full through `request_refund`
    (so the role's limit applies: above it, cancelling needs an admin)."""
    with transaction.atomic():
        order = _locked(order)
        _check_unfulfilled(order, "cancel it")
        refundable = order.refundable_amount
        paid = order.financial_status in (
            FinancialStatus.PAID, FinancialStatus.PARTIALLY_REFUNDED
        )
        if paid and refundable > 0:
            limit = order.store.refund_limit_for(actor_role(actor))
            if limit is not None and refundable > limit:
                raise PermissionDenied(
                    f"Cancelling refunds {refundable} {order.currency}, above your limit of "
                    f"{limit}; ask an admin."
                )
            request_refund(
                order, actor,
                RefundAsk(idempotency_key=refund_key or f"cancel-{order.pk}",
                          reason=reason or "Order cancelled"),
                conversation=conversation,
            )
            order.refresh_from_db()
        elif order.financial_status == FinancialStatus.PENDING:
            order.financial_status = FinancialStatus.VOIDED
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = timezone.now()
        order.save(update_fields=["status", "cancelled_at", "financial_status", "updated_at"])
        events.record_order_event(order, conversation, events.ORDER_CANCELLED, actor,
                                  reason=reason[:500])
        audit("order.cancelled", account=order.account_id, actor=_agent(actor), obj=order,
              reason=reason[:500])
        if order.store.platform != Platform.CUSTOM:
            from storedesk.commerce.tasks import push_cancel

            enqueue_on_commit(push_cancel, order.pk, reason[:500])
    return order


def clean_address(address: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(address) - set(ADDRESS_FIELDS))
    if unknown:
        raise ActionError(f"Unknown address fields: {', '.join(unknown)}.")
    cleaned = {}
    for name in ADDRESS_FIELDS:
        value = address.get(name, "")
        if not isinstance(value, str):
            raise ActionError(f"Address field {name} must be text.")
        if len(value) > 200:
            raise ActionError(f"Address field {name} is longer than 200 characters.")
        if value.strip():
            cleaned[name] = value.strip()
    missing = [name for name in REQUIRED_ADDRESS_FIELDS if name not in cleaned]
    if missing:
        raise ActionError(f"The address needs {', '.join(missing)}.")
    return cleaned


def edit_shipping_address(
    order: Order, actor: Actor, address: dict[str, Any], *,
    conversation: Conversation | None = None,
) -> Order:
    cleaned = clean_address(address)
    with transaction.atomic():
        order = _locked(order)
        _check_unfulfilled(order, "change its address")
        before = order.shipping_address
        order.shipping_address = cleaned
        order.save(update_fields=["shipping_address", "updated_at"])
        events.record_order_event(order, conversation, events.ORDER_ADDRESS_CHANGED, actor,
                                  city=cleaned.get("city", ""), country=cleaned["country"])
        audit("order.address_changed", account=order.account_id, actor=_agent(actor),
              obj=order, before_city=before.get("city", ""), city=cleaned.get("city", ""))
        if order.store.platform != Platform.CUSTOM:
            from storedesk.commerce.tasks import push_address

            enqueue_on_commit(push_address, order.pk)
    return order


def create_replacement(
    order: Order, actor: Actor, lines: list[tuple[int, int]], *, reason: str,
    conversation: Conversation | None = None,
) -> Order:
    """Resend items at no charge: a new order (total 0) marked as replacing this one."""
    if not reason.strip():
        raise ActionError("Say why the items are replaced.")
    if not lines:
        raise ActionError("Choose the lines to send again.")
    with transaction.atomic():
        order = _locked(order)
        if order.status == OrderStatus.CANCELLED:
            raise InvalidTransition(f"Order #{order.number} is cancelled.")
        by_id = {line.pk: line for line in order.lines.all()}
        n = order.replacements.count() + 1
        replacement = Order.objects.create(
            account_id=order.account_id, store=order.store, customer=order.customer,
            external_id=f"{order.external_id}-R{n}"[:100], number=f"{order.number}-R{n}"[:64],
            currency=order.currency, placed_at=timezone.now(),
            financial_status=FinancialStatus.PAID, shipping_address=order.shipping_address,
            notes=f"Replacement for #{order.number}: {reason.strip()[:500]}",
            replacement_of=order,
        )
        for line_id, quantity in lines:
            line = by_id.get(line_id)
            if line is None or not 1 <= quantity <= line.quantity:
                raise ActionError(f"Line {line_id}: choose 1 to the quantity ordered.")
            OrderLine.objects.create(
                account_id=order.account_id, order=replacement, variant=line.variant,
                sku=line.sku, title=line.title, quantity=quantity, price=Decimal("0"),
            )
        events.record_order_event(order, conversation, events.ORDER_REPLACED, actor,
                                  replacement_id=replacement.pk, number=replacement.number)
        audit("order.replaced", account=order.account_id, actor=_agent(actor), obj=order,
              replacement=replacement.pk, reason=reason[:500])
    return replacement


def give_discount(
    order: Order, actor: Actor, *, amount: Decimal | None = None, percent: int | None = None,
    conversation: Conversation | None = None,
) -> DiscountCode:
    """A goodwill code for the shopper's next order. A fixed amount counts against the same
    per-role limit as refunds; a percentage is capped at MAX_GOODWILL_PERCENT."""
    if (amount is None) == (percent is None):
        raise ActionError("Give either an amount or a percent.")
    if amount is not None:
        amount = check_money(amount)
        if amount <= 0:
            raise ActionError("The amount must be more than zero.")
    if percent is not None and not 1 <= percent <= MAX_GOODWILL_PERCENT:
        raise ActionError(f"The percent must be 1 to {MAX_GOODWILL_PERCENT}.")
    with transaction.atomic():
        order = _locked(order)
        limit = order.store.refund_limit_for(actor_role(actor))
        if amount is not None and limit is not None and amount > limit:
            raise PermissionDenied(f"A goodwill amount above your limit of {limit} needs an admin.")
        code = DiscountCode.objects.create(
            account_id=order.account_id, store=order.store, order=order,
            code="GW-" + secrets.token_hex(4).upper(), amount=amount, percent=percent,
            currency=order.currency, created_by_id=actor.agent_id,
        )
        events.record_order_event(
            order, conversation, events.ORDER_DISCOUNT_GIVEN, actor, code=code.code,
            amount=str(amount) if amount is not None else None, percent=percent,
        )
        audit("order.discount_given", account=order.account_id, actor=_agent(actor), obj=code,
              order=order.pk, amount=str(amount) if amount is not None else None,
              percent=percent)
    return code
