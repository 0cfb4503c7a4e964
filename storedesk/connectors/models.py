"""Rows shared by the connectors: inbound credentials and inbound provider events."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class IntegrationKey(TenantModel):
    """A credential made for posting shoppers' messages into ONE inbox (the API channel).

    The store's backend holds it instead of an agent's personal token. Only its SHA-256 is
    stored; the raw value (``sdi_...``) is shown once, at creation or rotation.
    """

    PREFIX = "sdi_"

    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, default="Integration key")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=16)  # first characters, to tell keys apart
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["inbox", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None

    @property
    def throttle_key(self) -> str:
        """The API rate limit counts per key (not per seat)."""
        return f"key:{self.pk}"


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class InboundEvent(TenantModel):
    """One event a provider pushed to us, kept raw: verified, stored, then processed.

    ``(provider, scope, event_id)`` is unique, so a provider's retry of the same event is a
    no-op. ``scope`` is ``inbox:<id>`` or ``store:<id>`` (commerce webhooks). A failed event
    keeps its body and error for an admin to see and retry.
    """

    provider = models.CharField(max_length=32)
    scope = models.CharField(max_length=40)
    inbox = models.ForeignKey(
        "inbox.Inbox", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    store = models.ForeignKey(
        "commerce.Store", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event_id = models.CharField(max_length=255)
    body = models.BinaryField()
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=InboundStatus.choices, default=InboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["provider", "scope", "event_id"], name="inbound_event_unique"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["account", "status", "-created_at"]),
            # The drain's claim: open rows in arrival order, without walking the done ones.
            models.Index(
                fields=["id"], name="inbound_event_open",
                condition=models.Q(status__in=["pending", "processing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.scope} {self.event_id}"

    @property
    def lease_expired(self) -> bool:
        return self.lease_until is None or self.lease_until <= timezone.now()
