"""Domain events: one row per thing that happened, written in the same transaction as the change.

The row is both the conversation's timeline entry and an outbox entry: after commit it is
dispatched to the subscribers of its kind (`config/subscribers.py`); `dispatched_at` stays null
until every subscriber has applied it, and the sweeper re-dispatches rows left behind.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from storedesk.accounts.actor import ActorType
from storedesk.core.models import TenantModel

ACTOR_CHOICES = [(t.value, t.value) for t in ActorType]


class Event(TenantModel):
    """Who did what, when, and because of which other event. Written only by `record()`."""

    kind = models.CharField(max_length=64)
    actor_type = models.CharField(max_length=8, choices=ACTOR_CHOICES)
    actor_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cause = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="effects"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, null=True, blank=True,
        related_name="events",
    )
    data = models.JSONField(default=dict, blank=True)
    # Null until every subscriber of the kind has applied the event (set at insert when the
    # kind has none). Rows left null past a grace period are re-dispatched by the sweeper.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["conversation", "created_at"], name="event_timeline"),
            models.Index(
                fields=["created_at"], condition=Q(dispatched_at__isnull=True),
                name="event_undispatched",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class EventReceipt(models.Model):
    """One subscriber has applied one event. Written in the subscriber's own transaction, so
    a subscriber run twice (a retry, a sweep, a killed worker) applies its effect once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="receipts")
    handler = models.CharField(max_length=200)
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} applied event {self.event_id}"
