"""Every write in commerce, one path each (re-exported here; the modules say what they decide).

- `stores.py`: create a store, its return policy, refund limits and shipping rates.
- `sync.py`: upserts of customers, products and orders from a platform (REST, CSV, webhooks,
  reconciliation), and a product the platform deleted.
- `refunds.py`: where a refund is decided (amount, per-role limits, approvals, idempotency).
- `orders.py`: cancel, shipping address, replacement order, goodwill discount code.
- `edits.py`: item edits on an unfulfilled order (variant swap, quantity, removal).
- `returns.py`: starting a return under the return policy.
- `connection.py`: a store's platform connection (sealed credentials) and reconciliation
  (orders and catalog).
- `notices.py`: back-in-stock subscriptions (the assistant's restock_alert) and their notices.
- `privacy.py`: a platform's privacy requests (data request, shopper erasure, shop erasure).
"""

from storedesk.commerce.actions import privacy
from storedesk.commerce.actions.connection import (
    connect_store,
    delete_shipping_rate,
    reconcile_store,
    reseal_credentials,
)
from storedesk.commerce.actions.edits import (
    EditOutcome,
    LineChange,
    edit_order_lines,
    price_difference,
)
from storedesk.commerce.actions.notices import claim_restock_notice, subscribe_restock
from storedesk.commerce.actions.orders import (
    cancel_order,
    create_replacement,
    edit_shipping_address,
    give_discount,
)
from storedesk.commerce.actions.refunds import (
    RefundAsk,
    RefundOutcome,
    decide_approval,
    request_refund,
)
from storedesk.commerce.actions.returns import ReturnItem, start_return
from storedesk.commerce.actions.stores import create_store, set_policy, set_shipping_rate
from storedesk.commerce.actions.sync import (
    deactivate_product,
    upsert_customer,
    upsert_order,
    upsert_product,
)

__all__ = [
    "EditOutcome", "LineChange", "RefundAsk", "RefundOutcome", "ReturnItem", "cancel_order",
    "claim_restock_notice",
    "connect_store", "deactivate_product",
    "create_replacement", "create_store", "decide_approval", "delete_shipping_rate",
    "edit_order_lines", "edit_shipping_address", "give_discount",
    "request_refund", "set_policy", "set_shipping_rate", "start_return", "subscribe_restock",
    "upsert_customer",
    "upsert_order", "upsert_product", "price_difference", "privacy",
    "reconcile_store", "reseal_credentials",
]
