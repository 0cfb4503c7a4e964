"""Order variables for macros, filled from the conversation's most relevant order
(`queries.most_relevant_order`: an order number in the subject, else the newest open order).
A variable without a value renders empty, and the composer marks it so it is never sent blank."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from storedesk.commerce.models import Order, Return
from storedesk.commerce.queries import latest_tracked_shipment, most_relevant_order


def _order(context: Any) -> Order | None:
    return most_relevant_order(context[0])


def _tracking_url(context: Any) -> str:
    order = _order(context)
    shipment = latest_tracked_shipment(order) if order is not None else None
    return shipment.tracking_url if shipment is not None else ""


def _estimated_delivery(context: Any) -> str:
    order = _order(context)
    if order is None:
        return ""
    shipment = order.shipments.exclude(estimated_delivery=None).order_by("-id").first()
    return shipment.estimated_delivery.isoformat() if shipment and shipment.estimated_delivery \
        else ""


def _return_instructions(context: Any) -> str:
    order = _order(context)
    if order is None:
        return ""
    latest: Return | None = order.returns.order_by("-id").first()
    return latest.instructions if latest is not None else ""


def register() -> None:
    from storedesk.workflow.macros import register_variable

    register_variable("order.number", _("The order number"),
                      lambda c: (o.number if (o := _order(c)) else ""))
    register_variable("order.status", _("The order's status"),
                      lambda c: (f"{o.get_status_display()}, {o.get_fulfillment_status_display()}"
                                 if (o := _order(c)) else ""))
    register_variable("order.tracking_url", _("The order's tracking link"), _tracking_url)
    register_variable("order.estimated_delivery", _("The order's expected delivery date"),
                      _estimated_delivery)
    register_variable("return.instructions", _("How to send the return back"),
                      _return_instructions)
