"""Commerce's orders as rule conditions see them (the latest order of the conversation's
shopper, read through commerce's queries)."""

from __future__ import annotations

from storedesk.commerce.models import FinancialStatus, FulfillmentStatus, OrderStatus
from storedesk.commerce.queries import latest_order_of_contact
from storedesk.inbox.models import Conversation
from storedesk.workflow.orders import OrderFacts

STATUSES = frozenset({*OrderStatus.values, *FinancialStatus.values, *FulfillmentStatus.values})


def latest_order(conversation: Conversation) -> OrderFacts | None:
    order = latest_order_of_contact(conversation.contact)
    if order is None:
        return None
    return OrderFacts(number=order.number,
                      statuses=frozenset({order.status, order.financial_status,
                                          order.fulfillment_status}),
                      total=order.total, currency=order.currency)
