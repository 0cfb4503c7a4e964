"""Where a refund is decided: amount, limits per role, approvals, idempotency.

One refund asked twice (a retry, a double click, two concurrent requests, a duplicate webhook)
refunds once: the client's `idempotency_key` is unique per account on both refunds and approval
requests, and every refund of an order is decided while holding that order's row lock, so the
refundable amount is always read after the previous refund committed.

A refund above the requester's limit (per role, set by the store) is not refunded: it becomes
an approval request that an admin approves (the refund then runs, within the approver's own
limit and the order's refundable amount at that moment) or rejects.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Agent
from storedesk.commerce import events
from storedesk.commerce.models import (
    ApprovalRequest,
    ApprovalStatus,
    FinancialStatus,
    Order,
    OrderLine,
    Platform,
    Refund,
    RefundStatus,
    Variant,
)
from storedesk.core.errors import ActionError, InvalidTransition, PermissionDenied
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.inbox.models import Conversation

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RefundAsk:
    idempotency_key: str
    amount: Decimal | None = None  # None: the value of `lines`, or everything refundable
    lines: tuple[tuple[int, int], ...] = ()  # (order line id, quantity)
    restock: bool = False
    reason: str = ""


@dataclass(frozen=True)
class RefundOutcome:
    refund: Refund | None  # set when refunded (now or earlier with the same key)
    approval: ApprovalRequest | None  # set when it waits for (or went through) approval
    replayed: bool  # True when the key had been seen: nothing new was done


def actor_role(actor: Actor) -> str:
    """The role whose limit applies: the seat's role for agents, the actor type otherwise
    (bots, rules and the system have no limit entry, so everything they ask needs approval)."""
    if actor.type == "agent" and actor.membership is not None:
        return str(actor.membership.role)
    return actor.type


def check_money(amount: Decimal) -> Decimal:
    try:
        if not amount.is_finite() or amount != amount.quantize(CENT):
            raise ActionError("An amount has at most two decimals.")
    except InvalidOperation as exc:
        raise ActionError("An amount has at most two decimals.") from exc
    return amount.quantize(CENT)


def _lines_value(order: Order, lines: tuple[tuple[int, int], ...]) -> Decimal:
    if not lines:
        return Decimal("0")
    by_id = {line.pk: line for line in order.lines.all()}
    value = Decimal("0")
    seen: set[int] = set()
    for line_id, quantity in lines:
        line = by_id.get(line_id)
        if line is None:
            raise ActionError(f"Line {line_id} is not on order #{order.number}.")
        if line_id in seen:
            raise ActionError(f"Line {line_id} is listed twice.")
        seen.add(line_id)
        if quantity < 1 or quantity > line.quantity - line.refunded_quantity:
            raise ActionError(
                f"Line {line_id}: at most {line.quantity - line.refunded_quantity} "
                "can still be refunded."
            )
        value += line.price * quantity
    return value


def _replay(order: Order, key: str, amount: Decimal | None) -> RefundOutcome | None:
    """The earlier answer to this idempotency key, if any (a different request → 409)."""
    refund = Refund.objects.filter(account_id=order.account_id, idempotency_key=key).first()
    approval = ApprovalRequest.objects.filter(
        account_id=order.account_id, idempotency_key=key
    ).first()
    earlier_order = refund.order_id if refund else approval.order_id if approval else None
    if earlier_order is None:
        return None
    earlier_amount = refund.amount if refund else approval.amount if approval else None
    if earlier_order != order.pk or (amount is not None and amount != earlier_amount):
        raise InvalidTransition("This idempotency key was used for a different refund.")
    return RefundOutcome(refund=refund, approval=approval, replayed=True)


def request_refund(
    order: Order, actor: Actor, ask: RefundAsk, *, conversation: Conversation | None = None
) -> RefundOutcome:
    """Refund now if within the actor's limit, else file an approval request. Idempotent."""
    key = ask.idempotency_key.strip()
    if not key or len(key) > 100:
        raise ActionError("An idempotency_key of 1 to 100 characters is required.")
    amount = check_money(ask.amount) if ask.amount is not None else None
    try:
        with transaction.atomic():
            return _request_refund(order, actor, ask, key, amount, conversation)
    except IntegrityError:
        # A concurrent request with the same key committed between our check and insert.
        replay = _replay(order, key, amount)
        if replay is None:
            raise
        return replay


def _request_refund(
    order: Order, actor: Actor, ask: RefundAsk, key: str, amount: Decimal | None,
    conversation: Conversation | None,
) -> RefundOutcome:
    order = Order.objects.select_for_update().select_related("store").get(pk=order.pk)
    replay = _replay(order, key, amount)
    if replay is not None:
        return replay
    amount = _decide_amount(order, ask, amount)
    limit = order.store.refund_limit_for(actor_role(actor))
    if limit is not None and amount > limit:
        approval = ApprovalRequest.objects.create(
            account_id=order.account_id, store=order.store, order=order, kind="refund",
            amount=amount, idempotency_key=key, requested_by_id=actor.agent_id,
            requested_role=actor_role(actor), conversation=conversation,
            payload={"amount": str(amount), "lines": [list(pair) for pair in ask.lines],
                     "restock": ask.restock, "reason": ask.reason[:500]},
        )
        events.record_order_event(
            order, conversation, events.ORDER_REFUND_REQUESTED, actor,
            approval_id=approval.pk, amount=str(amount), currency=order.currency,
            limit=str(limit),
        )
        audit("order.refund_requested", account=order.account_id, actor=_agent(actor),
              obj=approval, order=order.pk, amount=str(amount), limit=str(limit))
        return RefundOutcome(refund=None, approval=approval, replayed=False)
    refund = _execute(order, actor, ask, key, amount, conversation)
    return RefundOutcome(refund=refund, approval=None, replayed=False)


def _decide_amount(order: Order, ask: RefundAsk, amount: Decimal | None) -> Decimal:
    if order.financial_status in (FinancialStatus.PENDING, FinancialStatus.VOIDED):
        raise InvalidTransition(f"Order #{order.number} was not paid; nothing to refund.")
    lines_value = _lines_value(order, ask.lines)
    if amount is None:
        amount = lines_value if ask.lines else order.refundable_amount
    if amount <= 0:
        raise ActionError("A refund must be more than zero.")
    if amount > order.refundable_amount:
        raise ActionError(
            f"At most {order.refundable_amount} {order.currency} can still be refunded "
            f"on order #{order.number}."
        )
    if ask.restock and not ask.lines:
        raise ActionError("Restocking needs the lines that come back.")
    return amount


def _execute(
    order: Order, actor: Actor, ask: RefundAsk, key: str, amount: Decimal,
    conversation: Conversation | None,
) -> Refund:
    """Write the refund on a locked order whose amount and limit were checked."""
    pushed = order.store.platform != Platform.CUSTOM
    refund = Refund.objects.create(
        account_id=order.account_id, order=order, amount=amount, currency=order.currency,
        reason=ask.reason[:500], restock=ask.restock, idempotency_key=key,
        lines=[{"line_id": line_id, "quantity": qty} for line_id, qty in ask.lines],
        status=RefundStatus.PENDING if pushed else RefundStatus.SUCCEEDED,
        created_by_id=actor.agent_id, conversation=conversation,
    )
    order.refunded_total = order.refunded_total + amount
    order.financial_status = (
        FinancialStatus.REFUNDED if order.refunded_total >= order.total
        else FinancialStatus.PARTIALLY_REFUNDED
    )
    order.save(update_fields=["refunded_total", "financial_status", "updated_at"])
    for line_id, quantity in ask.lines:
        OrderLine.objects.filter(pk=line_id, order=order).update(
            refunded_quantity=F("refunded_quantity") + quantity
        )
        if ask.restock:
            Variant.objects.filter(
                pk__in=OrderLine.objects.filter(pk=line_id).values("variant_id")
            ).update(inventory=F("inventory") + quantity)
    events.record_order_event(
        order, conversation, events.ORDER_REFUNDED, actor, refund_id=refund.pk,
        amount=str(amount), currency=order.currency, restock=ask.restock,
    )
    audit("order.refunded", account=order.account_id, actor=_agent(actor), obj=refund,
          order=order.pk, amount=str(amount), currency=order.currency)
    if pushed:
        from storedesk.commerce.tasks import push_refund

        enqueue_on_commit(push_refund, refund.pk)
    return refund


def decide_approval(
    approval: ApprovalRequest, actor: Actor, *, approve: bool, note: str = ""
) -> ApprovalRequest:
    """An admin approves (the refund runs now) or rejects a refund above someone's limit."""
    if actor.membership is None or not actor.membership.is_admin:
        raise PermissionDenied("Only admins and owners decide approval requests.")
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("store").get(
            pk=approval.order_id
        )
        approval = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
        if approval.status != ApprovalStatus.PENDING:
            raise InvalidTransition(f"This request was already {approval.status}.")
        conversation = approval.conversation
        if approve:
            ask = RefundAsk(
                idempotency_key=approval.idempotency_key, amount=approval.amount,
                lines=tuple((int(a), int(b)) for a, b in approval.payload.get("lines", [])),
                restock=bool(approval.payload.get("restock")),
                reason=str(approval.payload.get("reason", "")),
            )
            amount = _decide_amount(order, ask, approval.amount)
            limit = order.store.refund_limit_for(actor_role(actor))
            if limit is not None and amount > limit:
                raise PermissionDenied(f"This refund is above your own limit of {limit}.")
            refund = _execute(order, actor, ask, approval.idempotency_key, amount, conversation)
            approval.refund = refund
        approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        approval.decided_by_id = actor.agent_id
        approval.decided_at = timezone.now()
        approval.decision_note = note.strip()[:500]
        approval.save()
        kind = events.ORDER_REFUND_APPROVED if approve else events.ORDER_REFUND_REJECTED
        events.record_order_event(
            order, conversation, kind, actor, approval_id=approval.pk,
            amount=str(approval.amount), currency=order.currency, note=approval.decision_note,
        )
        audit(kind, account=order.account_id, actor=_agent(actor), obj=approval,
              order=order.pk, amount=str(approval.amount))
    return approval


def _agent(actor: Actor) -> Agent | None:
    return actor.membership.agent if actor.membership is not None else None
