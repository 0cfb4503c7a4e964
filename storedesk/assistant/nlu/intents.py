"""The intents of issue 13 (see /docs and the labelling guide); `other` is out of scope."""

from __future__ import annotations

INTENTS: tuple[str, ...] = (
    "order_status", "delivery_info", "cancel_order", "change_order", "change_address",
    "return_request", "refund_request", "refund_status", "return_policy", "payment", "invoice",
    "product_question", "purchase_help", "restock_alert", "discount", "account", "complaint",
    "feedback", "newsletter", "human_agent", "smalltalk", "other",
)
OTHER = "other"
