"""Commerce domain events: every order action writes one (`storedesk.events.record`) in its
transaction, on the conversation it came from when there is one (so it shows on that timeline),
and a realtime push after commit.

Kinds (in the shared catalog `events.kinds.EventKind`): `order.refunded`,
`order.refund_requested` (over the limit, waiting for approval), `order.refund_approved`,
`order.refund_rejected`, `order.cancelled`, `order.address_changed`, `order.lines_edited`
(items changed: data carries `changes`, `difference`, `currency`), `order.replaced`,
`order.discount_given`, `return.created`. Data always carries `order_id` and `order_number`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storedesk.accounts.actor import Actor
from storedesk.core.oncommit import publish_on_commit
from storedesk.events import record
from storedesk.events.kinds import EventKind

if TYPE_CHECKING:
    from storedesk.commerce.models import Order
    from storedesk.inbox.models import Conversation

ORDER_REFUNDED = EventKind.ORDER_REFUNDED
ORDER_REFUND_REQUESTED = EventKind.ORDER_REFUND_REQUESTED
ORDER_REFUND_APPROVED = EventKind.ORDER_REFUND_APPROVED
ORDER_REFUND_REJECTED = EventKind.ORDER_REFUND_REJECTED
ORDER_CANCELLED = EventKind.ORDER_CANCELLED
ORDER_ADDRESS_CHANGED = EventKind.ORDER_ADDRESS_CHANGED
ORDER_LINES_EDITED = EventKind.ORDER_LINES_EDITED
ORDER_REPLACED = EventKind.ORDER_REPLACED
ORDER_DISCOUNT_GIVEN = EventKind.ORDER_DISCOUNT_GIVEN
RETURN_CREATED = EventKind.RETURN_CREATED

KINDS = (
    ORDER_REFUNDED, ORDER_REFUND_REQUESTED, ORDER_REFUND_APPROVED, ORDER_REFUND_REJECTED,
    ORDER_CANCELLED, ORDER_ADDRESS_CHANGED, ORDER_LINES_EDITED, ORDER_REPLACED,
    ORDER_DISCOUNT_GIVEN, RETURN_CREATED,
)


def record_order_event(
    order: Order, conversation: Conversation | None, kind: EventKind, actor: Actor, **data: Any
) -> None:
    """One domain event for an order action (on the conversation's timeline if any)."""
    if conversation is not None and conversation.account_id != order.account_id:
        raise ValueError("conversation and order belong to different accounts")
    record(
        kind, actor, account_id=order.account_id,
        conversation_id=conversation.pk if conversation is not None else None,
        data={"order_id": order.pk, "order_number": order.number, **data},
    )
    publish_on_commit(
        order.account_id,
        {"type": str(kind), "order_id": order.pk,
         "conversation_id": conversation.pk if conversation is not None else None},
    )
