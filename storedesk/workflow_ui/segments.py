"""Customer segments read from commerce, for SLA conditions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from storedesk.commerce.queries import customer_360
from storedesk.inbox.models import Conversation


def is_vip(conversation: Conversation) -> bool:
    """A shopper whose lifetime value (orders less refunds) reaches
    `STOREDESK_VIP_LIFETIME_VALUE` in any currency (default 1000)."""
    threshold = Decimal(str(getattr(settings, "STOREDESK_VIP_LIFETIME_VALUE", 1000)))
    view = customer_360(conversation.contact, limit=1)
    return any(value >= threshold for value in view.lifetime_value.values())
