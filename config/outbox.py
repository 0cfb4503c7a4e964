"""The outbox kinds: kind -> handler class (see storedesk/outbox/handlers.py).

Enqueue a row with `storedesk.outbox.tasks.deliver(kind, row_id)`; the sweeper walks every kind
listed here. Adding a kind of outgoing delivery is one line here plus its handler.
"""

HANDLERS: dict[str, str] = {
    # replies handed to a connector's transport (inbox.Delivery)
    "message": "storedesk.connectors.delivery.MessageDeliveries",
    # store webhooks (webhooks.WebhookDelivery)
    "webhook": "storedesk.webhooks.delivery.WebhookDeliveries",
}
