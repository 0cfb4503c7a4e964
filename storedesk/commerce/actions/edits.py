"""Item edits on an unfulfilled order: swap a line's variant for another of the same product
(size, colour), change a line's quantity, remove a line.

Decided here, on the locked order: every line named once, the new variant of the same store and
product and in stock, something left on the order (an order with no lines is a cancel), and the
price difference. A lower total on a paid order is refunded through `request_refund` (so the
actor's refund limit and approvals apply, under a key derived from the edit's key); a higher
total is refused, because Storedesk cannot charge the shopper the difference. A paid order keeps
its `total` (what was charged) and the refund raises `refunded_total`; an unpaid one's total
drops. The same `idempotency_key` again returns the first edit and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.commerce import events
from storedesk.commerce.actions.orders import _check_unfulfilled, _locked
from storedesk.commerce.actions.refunds import RefundAsk, _agent, request_refund
from storedesk.commerce.models import (
    FinancialStatus,
    Order,
    OrderEdit,
    OrderLine,
    Platform,
    Variant,
)
from storedesk.core.errors import ActionError
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.inbox.models import Conversation

MAX_QUANTITY = 100
MAX_CHANGES = 50


@dataclass(frozen=True)
class LineChange:
    line_id: int
    quantity: int  # the line's new quantity; 0 removes the line
    variant_id: int | None = None  # another variant of the line's product (None: keep it)


@dataclass(frozen=True)
class EditOutcome:
    edit: OrderEdit
    order: Order
    replayed: bool  # True when the key had been seen: nothing new was done


def variant_label(product_title: str, variant_title: str) -> str:
    """How a line reads after a swap: "Tee - L" (Shopify's line name), or the product alone."""
    if not variant_title or variant_title in (product_title, "Default Title"):
        return product_title
    return f"{product_title} - {variant_title}"


def edit_order_lines(
    order: Order, actor: Actor, changes: list[LineChange], *, idempotency_key: str,
    reason: str = "", conversation: Conversation | None = None,
) -> EditOutcome:
    """Apply item changes to an open, unfulfilled order (one write path for agents, the API
    and the assistant). Raises ActionError/InvalidTransition/PermissionDenied, writing nothing."""
    key = idempotency_key.strip()
    if not key or len(key) > 80:
        raise ActionError("An item edit needs an idempotency key of 1 to 80 characters.")
    if not changes:
        raise ActionError("Say which lines change.")
    if len(changes) > MAX_CHANGES:
        raise ActionError(f"At most {MAX_CHANGES} line changes at once.")
    try:
        with transaction.atomic():
            return _edit(order, actor, changes, key, reason.strip()[:500], conversation)
    except IntegrityError as exc:  # the key was taken meanwhile, by another order's edit
        raise ActionError("This idempotency key was already used for another edit.") from exc


def price_difference(order: Order, changes: list[LineChange]) -> Decimal:
    """What `changes` would do to the order's value (negative: refunded), checked as the edit
    checks them; nothing is written (the panel's preview)."""
    lines = {line.pk: line for line in order.lines.select_related("variant__product")}
    return sum((p.new_value - p.old_value for p in _plan(order, lines, changes)), Decimal("0"))


def _edit(
    order: Order, actor: Actor, changes: list[LineChange], key: str, reason: str,
    conversation: Conversation | None,
) -> EditOutcome:
    order = _locked(order)
    earlier = OrderEdit.objects.filter(account_id=order.account_id, idempotency_key=key).first()
    if earlier is not None:
        if earlier.order_id != order.pk:
            raise ActionError("This idempotency key was already used for another edit.")
        return EditOutcome(edit=earlier, order=order, replayed=True)
    _check_unfulfilled(order, "change its items")
    lines = {line.pk: line for line in order.lines.select_related("variant__product")}
    planned = _plan(order, lines, changes)
    if not planned:
        raise ActionError("Nothing changes: choose another size, colour or quantity.")
    difference = sum((p.new_value - p.old_value for p in planned), Decimal("0"))
    if difference > 0:
        raise ActionError(
            f"The new items cost {difference} {order.currency} more, which Storedesk cannot "
            "charge: the shopper must pay the difference (change the order in the store's "
            "admin instead)."
        )
    removed = {p.line.pk for p in planned if p.quantity == 0}
    if not any(pk not in removed for pk in lines):
        raise ActionError("An order cannot be left without items: cancel it instead.")
    # The platform ids of the order's lines now: a line a push adds is none of them.
    known = sorted({line.external_id for line in lines.values() if line.external_id})
    described = [p.as_data() for p in planned]  # before the lines change
    edit = OrderEdit.objects.create(
        account_id=order.account_id, order=order, idempotency_key=key,
        changes=[{**d, "known_line_ids": known} for d in described],
        difference=difference,
        created_by_id=actor.agent_id, conversation=conversation,
    )
    paid = order.financial_status in (FinancialStatus.PAID, FinancialStatus.PARTIALLY_REFUNDED)
    if difference < 0 and paid:
        outcome = request_refund(
            order, actor,
            RefundAsk(idempotency_key=f"edit-{key}", amount=-difference,
                      reason=reason or f"Items changed on order #{order.number}"),
            conversation=conversation,
        )
        edit.refund, edit.approval = outcome.refund, outcome.approval
        edit.save(update_fields=["refund", "approval", "updated_at"])
        order.refresh_from_db()
    for p in planned:
        p.apply()
    order.subtotal = order.subtotal + difference
    if not paid:
        order.total = max(Decimal("0"), order.total + difference)
    order.save(update_fields=["subtotal", "total", "updated_at"])
    pushed = order.store.platform != Platform.CUSTOM
    if pushed:
        edit.push_status = "pending"
        edit.save(update_fields=["push_status", "updated_at"])
    events.record_order_event(
        order, conversation, events.ORDER_LINES_EDITED, actor, edit_id=edit.pk,
        changes=described, difference=str(difference),
        currency=order.currency,
        refund_id=edit.refund_id, approval_id=edit.approval_id,
    )
    audit("order.lines_edited", account=order.account_id, actor=_agent(actor), obj=order,
          edit=edit.pk, difference=str(difference), lines=len(planned))
    if pushed:
        from storedesk.commerce.tasks import push_line_edits

        enqueue_on_commit(push_line_edits, edit.pk)
    return EditOutcome(edit=edit, order=order, replayed=False)


@dataclass
class _Planned:
    line: OrderLine
    quantity: int
    variant: Variant | None  # the new variant when swapped

    @property
    def old_value(self) -> Decimal:
        return self.line.price * self.line.quantity

    @property
    def new_price(self) -> Decimal:
        return self.variant.price if self.variant is not None else self.line.price

    @property
    def new_value(self) -> Decimal:
        return self.new_price * self.quantity

    @property
    def new_title(self) -> str:
        if self.variant is None:
            return self.line.title
        return variant_label(self.variant.product.title, self.variant.title)[:300]

    def as_data(self) -> dict[str, object]:
        line, variant = self.line, self.variant
        return {
            "line_id": line.pk, "external_id": line.external_id, "sku": line.sku,
            "title": line.title, "quantity": line.quantity, "price": str(line.price),
            "new_quantity": self.quantity,
            "new_sku": variant.sku if variant is not None else line.sku,
            "new_title": self.new_title, "new_price": str(self.new_price),
            "product_external_id": (line.variant.product.external_id
                                    if line.variant is not None else ""),
            # the platform's id of the new variant (empty: found by its SKU when pushed)
            "new_variant_external_id": variant.external_id if variant is not None else "",
        }

    def apply(self) -> None:
        line = self.line
        if self.quantity == 0:
            line.delete()
            return
        if self.variant is not None:
            line.variant = self.variant
            line.sku = self.variant.sku
            line.title = self.new_title
            line.price = self.variant.price
        line.quantity = self.quantity
        line.save()


def _plan(order: Order, lines: dict[int, OrderLine],
          changes: list[LineChange]) -> list[_Planned]:
    planned: list[_Planned] = []
    seen: set[int] = set()
    wanted = {c.variant_id for c in changes if c.variant_id is not None}
    variants = {v.pk: v for v in Variant.objects.filter(
        account_id=order.account_id, store_id=order.store_id, pk__in=wanted,
    ).select_related("product")}
    for change in changes:
        line = lines.get(change.line_id)
        if line is None:
            raise ActionError(f"Line {change.line_id} is not on order #{order.number}.")
        if change.line_id in seen:
            raise ActionError(f"Line {change.line_id} is listed twice.")
        seen.add(change.line_id)
        if not 0 <= change.quantity <= MAX_QUANTITY:
            raise ActionError(f"{line.title}: the quantity must be 0 (remove) to {MAX_QUANTITY}.")
        if line.refunded_quantity or line.returned_quantity:
            raise ActionError(f"{line.title} was already refunded or returned in part; "
                              "it cannot be changed.")
        variant = None
        if change.variant_id is not None and change.variant_id != line.variant_id:
            variant = variants.get(change.variant_id)
            if line.variant is None:
                raise ActionError(f"{line.title} is not linked to a catalog product, so its "
                                  "size or colour cannot be changed here.")
            if variant is None or variant.product_id != line.variant.product_id:
                raise ActionError(f"{line.title}: choose another variant of the same product.")
        if change.quantity == 0:
            variant = None
        elif variant is not None and variant.inventory < change.quantity:
            label = variant_label(variant.product.title, variant.title)
            raise ActionError(f"{label} is out of stock." if variant.inventory <= 0 else
                              f"Only {variant.inventory} of {label} in stock.")
        elif variant is None and change.quantity > line.quantity and line.variant is not None \
                and line.variant.inventory < change.quantity - line.quantity:
            raise ActionError(f"Only {line.variant.inventory} more of {line.title} in stock.")
        if variant is None and change.quantity == line.quantity:
            continue  # nothing changes on this line
        planned.append(_Planned(line=line, quantity=change.quantity, variant=variant))
    return planned
