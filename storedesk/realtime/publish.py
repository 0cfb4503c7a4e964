"""Send a realtime event to the agents of one account (called after commit only)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def account_group(account_id: int) -> str:
    return f"account-{account_id}"


def publish(account_id: int, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            account_group(account_id), {"type": "storedesk.event", "event": event}
        )
    except Exception:  # a realtime hiccup must never fail the write that already committed
        logger.exception("realtime publish failed for account %s", account_id)
