"""REST API v1 for commerce: stores and policies, a contact's orders, order actions, approvals.

Every handler: access (scoped to the token's account, 404 otherwise) → parse (schema) → one
action → schema out. Store data upserts from the `custom` platform live in `api_sync.py`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership
from storedesk.commerce import actions
from storedesk.commerce.api_sync import router as sync_router
from storedesk.commerce.queries import (
    customer_360,
    get_approval,
    get_order,
    get_store,
    pending_approvals,
    visible_stores,
)
from storedesk.commerce.schemas import (
    AddressIn,
    ApprovalOut,
    CancelIn,
    ContactOrdersOut,
    DecisionIn,
    DiscountIn,
    DiscountOut,
    OrderEditOut,
    OrderLinesIn,
    OrderOut,
    PolicyIO,
    RefundIn,
    RefundResultOut,
    ReplacementIn,
    ReturnIn,
    ReturnOut,
    ShippingRateOut,
    StoreOut,
)
from storedesk.core.errors import PermissionDenied
from storedesk.inbox.models import Conversation

router = Router(tags=["commerce"])
router.add_router("", sync_router)


def _membership(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _conversation(membership: Membership, conversation_id: int | None) -> Conversation | None:
    if conversation_id is None:
        return None
    from storedesk.inbox.queries import get_conversation

    return get_conversation(membership, conversation_id)


@router.get("/stores", response=list[StoreOut], url_name="stores")
def list_stores(request: HttpRequest) -> Any:
    return list(visible_stores(_membership(request)).order_by("name", "id"))


@router.get("/stores/{store_id}", response=StoreOut, url_name="store")
def get_store_detail(request: HttpRequest, store_id: int) -> Any:
    return get_store(_membership(request), store_id)


@router.get("/stores/{store_id}/policy", response=PolicyIO, url_name="store_policy")
def get_policy(request: HttpRequest, store_id: int) -> Any:
    store = get_store(_membership(request), store_id)
    from storedesk.commerce.models import DEFAULT_REFUND_LIMITS

    return {
        "return_window_days": store.return_window_days,
        "non_returnable_categories": store.non_returnable_categories,
        "return_condition": store.return_condition,
        "return_instructions": store.return_instructions,
        "refund_limits": {**DEFAULT_REFUND_LIMITS, **store.refund_limits},
        "free_shipping_threshold": store.free_shipping_threshold,
    }


@router.put("/stores/{store_id}/policy", response=PolicyIO, url_name="store_policy_set")
def put_policy(request: HttpRequest, store_id: int, body: PolicyIO) -> Any:
    membership = _membership(request)
    store = get_store(membership, store_id)
    if not membership.is_admin:
        raise PermissionDenied("Only admins and owners change the store's policy.")
    actions.set_policy(
        store, by=membership.agent, return_window_days=body.return_window_days,
        non_returnable_categories=body.non_returnable_categories,
        return_condition=body.return_condition, return_instructions=body.return_instructions,
        refund_limits={k: (str(v) if v is not None else None)
                       for k, v in body.refund_limits.items()},
        free_shipping_threshold=body.free_shipping_threshold,
    )
    return get_policy(request, store_id)


@router.get("/stores/{store_id}/shipping", response=list[ShippingRateOut], url_name="shipping")
def list_shipping(request: HttpRequest, store_id: int) -> Any:
    store = get_store(_membership(request), store_id)
    return list(store.shipping_rates.order_by("country", "cost", "method"))


@router.get("/contacts/{contact_id}/orders", response=ContactOrdersOut, url_name="contact_orders")
def contact_orders(request: HttpRequest, contact_id: int) -> Any:
    from storedesk.contacts.queries import get_contact

    contact = get_contact(_membership(request), contact_id)
    view = customer_360(contact, limit=50)
    return {
        "contact_id": contact.pk, "order_count": view.order_count,
        "lifetime_value": [{"currency": c, "amount": a} for c, a in
                           sorted(view.lifetime_value.items())],
        "first_order_at": view.first_order_at, "last_order_at": view.last_order_at,
        "orders": view.orders, "open_returns": view.open_returns, "refunds": view.refunds,
    }


@router.get("/orders/{order_id}", response=OrderOut, url_name="order")
def order_detail(request: HttpRequest, order_id: int) -> Any:
    return get_order(_membership(request), order_id)


@router.post(
    "/orders/{order_id}/refunds", response={200: RefundResultOut, 201: RefundResultOut,
                                            202: RefundResultOut},
    url_name="order_refunds",
)
def refund(request: HttpRequest, order_id: int, body: RefundIn) -> Any:
    """Refund (full without amount and lines, partial otherwise). Within the caller's limit:
    201 refunded; above it: 202 with a pending approval request; the same idempotency_key
    again: 200 with the first answer, nothing done twice."""
    membership = _membership(request)
    order = get_order(membership, order_id)
    conversation = _conversation(membership, body.conversation_id)
    outcome = actions.request_refund(
        order, Actor.agent(membership),
        actions.RefundAsk(
            idempotency_key=body.idempotency_key, amount=body.amount,
            lines=tuple((item.line_id, item.quantity) for item in body.lines),
            restock=body.restock, reason=body.reason,
        ),
        conversation=conversation,
    )
    result = _refund_result(outcome.refund, outcome.approval, outcome.replayed)
    status = 200 if outcome.replayed else 201 if outcome.refund is not None else 202
    return Status(status, result)


def _refund_result(refund: Any, approval: Any, replayed: bool) -> dict[str, Any]:
    if refund is not None:
        result = "refunded"
    elif approval is not None and approval.status == "rejected":
        result = "rejected"
    else:
        result = "pending_approval"
    return {"result": result, "replayed": replayed, "refund": refund, "approval": approval}


@router.post("/orders/{order_id}/cancel", response=OrderOut, url_name="order_cancel")
def cancel(request: HttpRequest, order_id: int, body: CancelIn) -> Any:
    membership = _membership(request)
    order = get_order(membership, order_id)
    return actions.cancel_order(
        order, Actor.agent(membership), reason=body.reason, refund_key=body.idempotency_key,
        conversation=_conversation(membership, body.conversation_id),
    )


@router.post("/orders/{order_id}/shipping-address", response=OrderOut, url_name="order_address")
def change_address(request: HttpRequest, order_id: int, body: AddressIn) -> Any:
    membership = _membership(request)
    order = get_order(membership, order_id)
    return actions.edit_shipping_address(
        order, Actor.agent(membership), body.shipping_address,
        conversation=_conversation(membership, body.conversation_id),
    )


@router.post("/orders/{order_id}/lines", response={200: OrderEditOut, 201: OrderEditOut},
             url_name="order_lines")
def edit_lines(request: HttpRequest, order_id: int, body: OrderLinesIn) -> Any:
    """Change an unfulfilled order's items: another variant of the same product, a quantity,
    0 to remove. 201 edited (a lower total on a paid order is refunded, or waits for approval
    above the caller's limit); a higher total is a 400; shipped or cancelled a 409; the same
    idempotency_key again: 200 with the first edit, nothing done twice."""
    membership = _membership(request)
    order = get_order(membership, order_id)
    outcome = actions.edit_order_lines(
        order, Actor.agent(membership),
        [actions.LineChange(c.line_id, c.quantity, c.variant_id) for c in body.changes],
        idempotency_key=body.idempotency_key, reason=body.reason,
        conversation=_conversation(membership, body.conversation_id),
    )
    edit = outcome.edit
    return Status(200 if outcome.replayed else 201, {
        "id": edit.pk, "replayed": outcome.replayed, "difference": edit.difference,
        "push_status": edit.push_status, "refund": edit.refund, "approval": edit.approval,
        "order": get_order(membership, order_id),
    })


@router.post("/orders/{order_id}/returns", response={201: ReturnOut}, url_name="order_returns")
def start_return(request: HttpRequest, order_id: int, body: ReturnIn) -> Any:
    membership = _membership(request)
    order = get_order(membership, order_id)
    created = actions.start_return(
        order, Actor.agent(membership),
        [actions.ReturnItem(i.line_id, i.quantity, i.condition) for i in body.lines],
        reason=body.reason, conversation=_conversation(membership, body.conversation_id),
    )
    return Status(201, created)


@router.post("/orders/{order_id}/replacements", response={201: OrderOut},
             url_name="order_replacements")
def replace(request: HttpRequest, order_id: int, body: ReplacementIn) -> Any:
    membership = _membership(request)
    order = get_order(membership, order_id)
    created = actions.create_replacement(
        order, Actor.agent(membership), [(i.line_id, i.quantity) for i in body.lines],
        reason=body.reason, conversation=_conversation(membership, body.conversation_id),
    )
    return Status(201, created)


@router.post("/orders/{order_id}/discount-codes", response={201: DiscountOut},
             url_name="order_discounts")
def discount(request: HttpRequest, order_id: int, body: DiscountIn) -> Any:
    membership = _membership(request)
    order = get_order(membership, order_id)
    code = actions.give_discount(
        order, Actor.agent(membership), amount=body.amount, percent=body.percent,
        conversation=_conversation(membership, body.conversation_id),
    )
    return Status(201, code)


@router.get("/approvals", response=list[ApprovalOut], url_name="approvals")
def list_approvals(request: HttpRequest) -> Any:
    return list(pending_approvals(_membership(request).account_id))


@router.post("/approvals/{approval_id}/approve", response=RefundResultOut,
             url_name="approval_approve")
def approve(request: HttpRequest, approval_id: int, body: DecisionIn) -> Any:
    membership = _membership(request)
    approval = get_approval(membership, approval_id)
    approval = actions.decide_approval(approval, Actor.agent(membership), approve=True,
                                       note=body.note)
    return _refund_result(approval.refund, approval, False)


@router.post("/approvals/{approval_id}/reject", response=RefundResultOut,
             url_name="approval_reject")
def reject(request: HttpRequest, approval_id: int, body: DecisionIn) -> Any:
    membership = _membership(request)
    approval = get_approval(membership, approval_id)
    approval = actions.decide_approval(approval, Actor.agent(membership), approve=False,
                                       note=body.note)
    return _refund_result(None, approval, False)
