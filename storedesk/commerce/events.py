"""Commerce events: order actions on the conversation timeline, and their realtime payloads.

Event kinds (dotted, app-prefixed as the shared catalog asks):
`order.refunded`, `order.refund_requested` (over the limit, waiting for approval),
`order.refund_approved`, `order.refund_rejected`, `order.cancelled`, `order.address_changed`,
`order.replaced`, `order.discount_given`, `return.created`.

Commerce never writes another app's rows: the timeline row goes through the inbox's public
`record_event` (the domain-event `record` once that lands), inside the action's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storedesk.core.actor import Actor
from storedesk.core.oncommit import publish_on_commit

if TYPE_CHECKING:
    from storedesk.commerce.models import Order
    from storedesk.inbox.models import Conversation

ORDER_REFUNDED = "order.refunded"
ORDER_REFUND_REQUESTED = "order.refund_requested"
ORDER_REFUND_APPROVED = "order.refund_approved"
ORDER_REFUND_REJECTED = "order.refund_rejected"
ORDER_CANCELLED = "order.cancelled"
ORDER_ADDRESS_CHANGED = "order.address_changed"
ORDER_REPLACED = "order.replaced"
ORDER_DISCOUNT_GIVEN = "order.discount_given"
RETURN_CREATED = "return.created"

KINDS = (
    ORDER_REFUNDED, ORDER_REFUND_REQUESTED, ORDER_REFUND_APPROVED, ORDER_REFUND_REJECTED,
    ORDER_CANCELLED, ORDER_ADDRESS_CHANGED, ORDER_REPLACED, ORDER_DISCOUNT_GIVEN, RETURN_CREATED,
)


def record_order_event(
    order: Order, conversation: Conversation | None, kind: str, actor: Actor, **data: Any
) -> None:
    """Timeline row on the conversation the action came from (if any) + a realtime push."""
    data = {"order_id": order.pk, "order_number": order.number, **data}
    if conversation is not None:
        if conversation.account_id != order.account_id:  # defensive: never cross tenants
            raise ValueError("conversation and order belong to different accounts")
        from storedesk.inbox.events import record_event

        record_event(conversation, kind, actor, **data)
    publish_on_commit(
        order.account_id,
        {"type": kind, "order_id": order.pk,
         "conversation_id": conversation.pk if conversation is not None else None},
    )
