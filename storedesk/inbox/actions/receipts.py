"""Provider receipts: the shopper's side says a reply was delivered, read, or failed.

The one way a receipt reaches a message (connectors call it from their inbound processing).
Receipts only move a message forward (sent -> delivered -> read); a late or repeated receipt is
a no-op, so providers that resend or reorder their callbacks are harmless. A failure receipt
counts only before the message was delivered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from storedesk.accounts.actor import SYSTEM
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.inbox.actions.replies import _publish_message_update
from storedesk.inbox.events import record_event
from storedesk.inbox.models import DeliveryStatus, Direction, Message

RECEIPT_STATUSES = (DeliveryStatus.DELIVERED, DeliveryStatus.READ, DeliveryStatus.FAILED)
# How far along a message is; a receipt applies only if it moves the message forward.
RANK: dict[str, int] = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}
MAX_ERROR_CHARS = 2000


@transaction.atomic
def record_receipt(
    message: Message, status: str, *, error: str = "", at: datetime | None = None
) -> bool:
    """Apply a provider's receipt; returns False when it changed nothing (repeat, late, stale).

    Writes a `message.delivered` / `message.read` / `message.failed` timeline row.
    """
    if status not in RECEIPT_STATUSES:
        raise ActionError(f"Unknown receipt status {status!r}.")
    locked = Message.objects.select_for_update().select_related("conversation").get(pk=message.pk)
    if locked.direction != Direction.OUTGOING or locked.private:
        raise ActionError("Receipts apply to outgoing replies only.")
    current = locked.delivery_status
    if status == DeliveryStatus.FAILED:
        if current not in (DeliveryStatus.PENDING, DeliveryStatus.SENT):
            return False
        locked.delivery_error = (error or "The provider reported a failure.")[:MAX_ERROR_CHARS]
    elif RANK[status] <= RANK.get(current, 99):
        return False
    locked.delivery_status = status
    locked.save(update_fields=["delivery_status", "delivery_error", "updated_at"])
    data: dict[str, Any] = {"message_id": locked.pk}
    if at is not None:
        data["at"] = at.isoformat()
    if status == DeliveryStatus.FAILED:
        data["error"] = locked.delivery_error
    record_event(locked.conversation, EventKind(f"message.{status}"), SYSTEM, **data)
    _publish_message_update(locked)
    message.delivery_status = locked.delivery_status
    message.delivery_error = locked.delivery_error
    return True
