"""The shape every outbox row shares: an abstract model the owning apps inherit from.

`inbox.Delivery` (replies handed to a connector) and `webhooks.WebhookDelivery` (events POSTed
to a store's endpoint) are both outbox rows. The owning app keeps its table and its own fields;
the outbox mechanism (`storedesk.outbox.engine`) reads and writes only the fields below.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxRow(TenantModel):
    """One thing to send, with its attempts, its next due time and the lease of its claimant."""

    status = models.CharField(
        max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # Set while a worker holds the row; also the fencing token of that worker's attempt.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Each concrete model declares its own index on (status, next_attempt_at): the sweep's
        # query. (An index declared here would need a name pattern and rename existing ones.)
        abstract = True
