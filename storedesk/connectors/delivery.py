"""The outbox handler for replies (kind "message"): hand an `inbox.Delivery` to its transport.

The inbox writes the Delivery row and enqueues `outbox.tasks.deliver("message", id)`; it never
imports a connector. This module, on the connector side, makes the attempt through
`connectors.registry.transport_for(channel)` and reports the outcome back through the inbox's
own action, `inbox.actions.record_delivery_outcome`.
"""

from __future__ import annotations

from django.conf import settings

from storedesk.connectors.base import TransportError
from storedesk.connectors.registry import transport_for
from storedesk.inbox.actions import record_delivery_outcome
from storedesk.inbox.models import Delivery, Inbox
from storedesk.outbox.engine import Outcome
from storedesk.outbox.fairness import Share, url_destination


def destination(inbox: Inbox) -> str:
    """Who receives this inbox's replies, for the per-destination share of the workers.

    API-channel inboxes POST to their webhook host (several inboxes may point at one store
    backend); every other channel counts per inbox.
    """
    if inbox.channel == "api":
        host = url_destination(str((inbox.config or {}).get("webhook_url") or ""))
        if host:
            return host
    return f"inbox:{inbox.pk}"


class MessageDeliveries:
    model = Delivery

    def load(self, row_id: int) -> Delivery | None:
        return (
            Delivery.objects.select_related(
                "message__inbox",
                "message__sender_agent",
                "message__conversation__contact",
                "message__conversation__identity",
            )
            .filter(pk=row_id)
            .first()
        )

    def shares(self, row: Delivery) -> list[Share]:
        return [
            Share(destination(row.message.inbox), int(settings.OUTBOX_DESTINATION_SLOTS)),
            Share(f"account:{row.account_id}", int(settings.OUTBOX_ACCOUNT_SLOTS)),
        ]

    def attempt(self, row: Delivery) -> Outcome:
        inbox = row.message.inbox
        try:
            if not inbox.is_active:
                raise TransportError(f"The inbox {inbox.name!r} is disabled.", permanent=True)
            result = transport_for(inbox.channel).send(row)
        except TransportError as exc:
            return Outcome(error=exc.message, permanent=exc.permanent)
        return Outcome(reference=result.provider_message_id)

    def record(self, row: Delivery, outcome: Outcome) -> None:
        record_delivery_outcome(row, provider_message_id=outcome.reference)
