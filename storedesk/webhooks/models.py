"""Outbound store webhooks: subscriptions, deliveries (outbox rows) and their attempts."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from storedesk.core.models import TenantModel
from storedesk.core.sealing import Sealer
from storedesk.outbox.models import OutboxRow

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


# Webhook signing secrets are sealed at rest (core/sealing.py, this salt); HMAC needs the
# plain value, so it is opened at send time only (`signing_secret`).
SEALER = Sealer(b"storedesk.webhooks.secrets")


def new_secret() -> str:
    """A fresh plain secret (shown once to the admin who made it)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_sealed_secret() -> str:
    return SEALER.seal(new_secret())


def signing_secret(sealed: str) -> str:
    """The plain value of a stored secret (raises `core.sealing.Unreadable`)."""
    return SEALER.reveal(sealed)


class WebhookSubscription(TenantModel):
    """A store developer's endpoint and the event kinds it wants, signed with its own secret.

    The secret signs every request. It is stored sealed (`SEALER`; HMAC needs the plain value,
    so it cannot be hashed) and shown once: in the answer that creates or rotates it. After a
    rotation the previous secret keeps signing alongside the new one until
    `previous_secret_expires_at`, so the receiver can switch over without dropping requests.
    """

    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)  # event kinds (storedesk.events.EventKind values)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=400, default=new_sealed_secret)  # sealed
    previous_secret = models.CharField(max_length=400, blank=True)  # sealed, or ""
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [models.Index(fields=["account", "is_active"])]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(OutboxRow):
    """One event for one subscription: a row of the shared outbox (kind "webhook").

    Its id is the `X-Storedesk-Delivery` header and the body's `delivery_id`: the receiver's
    idempotency key, the same on every retry and redelivery.
    """

    OUTBOX_KIND = "webhook"

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.BigIntegerField()  # storedesk.events Event id (no FK: events may be pruned)
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)  # the event as the receiver sees it (a snapshot)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            # The subscriber may run twice for one event; the subscription gets it once.
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once_per_event"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_recent"),
        ]


class WebhookAttempt(TenantModel):
    """One try at a delivery: what the receiver answered, or why it failed."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempts_log"
    )
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=8)  # the delivery status the attempt led to

    class Meta:
        indexes: ClassVar = [models.Index(fields=["delivery", "number"])]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(number__gte=1), name="webhook_attempt_number"),
        ]
