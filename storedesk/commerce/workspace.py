"""Commerce in the workspace: the orders sidebar panel and the order-event timeline lines.

Registered from `CommerceConfig.ready()` into the workspace's extension points; the workspace
itself knows nothing of commerce.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from storedesk.accounts.models import Membership
from storedesk.commerce import events
from storedesk.commerce.models import ApprovalRequest, FulfillmentStatus, OrderStatus
from storedesk.commerce.queries import (
    customer_360,
    failed_edits,
    pending_approvals,
    sibling_variants,
)
from storedesk.workspace.registry import (
    RenderContext,
    SidebarPanel,
    Slot,
    sidebar_panels,
    timeline_renderers,
)

PANEL_ORDERS = 5
SAFE_LINK_SCHEMES = ("https://", "http://")


def panel_context(
    membership: Membership, contact: Any, conversation: Any, *, message: str = "",
    error: str = "", forms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything commerce/_orders_panel.html shows for one shopper in one conversation."""
    view = customer_360(contact, limit=PANEL_ORDERS)
    refused = failed_edits(view.orders)
    for order in view.orders:
        order.failed_edits = refused.get(order.pk, [])  # type: ignore[attr-defined]
        order.can_change = (  # type: ignore[attr-defined]
            order.status == OrderStatus.OPEN
            and order.fulfillment_status == FulfillmentStatus.UNFULFILLED
            and not order.shipments.all()
        )
        order.form_key = uuid.uuid4().hex  # type: ignore[attr-defined]  # one per render
        if order.can_change:  # type: ignore[attr-defined]
            options = sibling_variants(order)
            for line in order.lines.all():
                line.variant_options = options.get(line.variant_id or 0, [])  # type: ignore[attr-defined]
        for shipment in order.shipments.all():
            shipment.safe_url = (  # type: ignore[attr-defined]
                shipment.tracking_url if shipment.tracking_url.startswith(SAFE_LINK_SCHEMES)
                else ""
            )
    approvals: list[ApprovalRequest] = []
    if membership.is_admin:
        approvals = list(pending_approvals(membership.account_id)
                         .filter(order__in=[o.pk for o in view.orders]))
    return {
        "view": view, "orders": view.orders, "approvals": approvals,
        "is_admin": membership.is_admin, "panel_message": message, "panel_error": error,
        "panel_forms": forms or {}, "conversation": conversation, "contact": contact,
    }


def orders_panel(slot: Slot) -> dict[str, Any] | None:
    return panel_context(slot.membership, slot.contact, slot.conversation)


def _money(data: dict[str, Any]) -> str:
    return f"{data.get('amount', '')} {data.get('currency', '')}".strip()


def _order(data: dict[str, Any]) -> str:
    return f"#{data.get('order_number', '')}"


def _refunded(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s refunded %(amount)s on order %(order)s") % {
        "who": ctx.who, "amount": _money(event.data or {}), "order": _order(event.data or {})}


def _refund_requested(event: Any, ctx: RenderContext) -> str:
    text = _("%(who)s asked for a refund of %(amount)s on order %(order)s (waiting for approval)")
    return text % {
        "who": ctx.who, "amount": _money(event.data or {}), "order": _order(event.data or {})}


def _refund_approved(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s approved the refund of %(amount)s on order %(order)s") % {
        "who": ctx.who, "amount": _money(event.data or {}), "order": _order(event.data or {})}


def _refund_rejected(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s rejected the refund of %(amount)s on order %(order)s") % {
        "who": ctx.who, "amount": _money(event.data or {}), "order": _order(event.data or {})}


def _cancelled(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s cancelled order %(order)s") % {"who": ctx.who,
                                                     "order": _order(event.data or {})}


def _address_changed(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s changed the shipping address of order %(order)s") % {
        "who": ctx.who, "order": _order(event.data or {})}


def _lines_edited(event: Any, ctx: RenderContext) -> str:
    data = event.data or {}
    changes = "; ".join(
        (_("removed %(title)s") % {"title": c.get("title", "")}) if not c.get("new_quantity")
        else f"{c.get('quantity')} × {c.get('title', '')} → "
             f"{c.get('new_quantity')} × {c.get('new_title', '')}"
        for c in data.get("changes") or [] if isinstance(c, dict))
    return _("%(who)s changed the items of order %(order)s: %(changes)s") % {
        "who": ctx.who, "order": _order(data), "changes": changes}


def _replaced(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s sent a replacement for order %(order)s") % {
        "who": ctx.who, "order": _order(event.data or {})}


def _discount(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s gave a goodwill code %(code)s") % {
        "who": ctx.who, "code": (event.data or {}).get("code", "")}


def _return_created(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s started return %(rma)s for order %(order)s") % {
        "who": ctx.who, "rma": (event.data or {}).get("rma_number", ""),
        "order": _order(event.data or {})}


def register() -> None:
    sidebar_panels.register(SidebarPanel(
        key="orders", label=gettext_lazy("Orders"), template="commerce/_orders_panel.html",
        context=orders_panel, order=20,
    ))
    for kind, renderer in {
        events.ORDER_REFUNDED: _refunded, events.ORDER_REFUND_REQUESTED: _refund_requested,
        events.ORDER_REFUND_APPROVED: _refund_approved,
        events.ORDER_REFUND_REJECTED: _refund_rejected, events.ORDER_CANCELLED: _cancelled,
        events.ORDER_ADDRESS_CHANGED: _address_changed, events.ORDER_LINES_EDITED: _lines_edited,
        events.ORDER_REPLACED: _replaced,
        events.ORDER_DISCOUNT_GIVEN: _discount, events.RETURN_CREATED: _return_created,
    }.items():
        timeline_renderers.register(kind, renderer)

