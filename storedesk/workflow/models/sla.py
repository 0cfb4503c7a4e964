"""SLA policies (targets + conditions), one clock per conversation, and breach history."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(TenantModel):
    """Targets (minutes of business time, or of wall time without `business_hours`) for the
    conversations matching every condition. The active policy with the lowest `position`
    whose conditions all match applies; an empty condition list matches everything."""

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    # Conditions: lists of allowed values (empty = any).
    channels = models.JSONField(default=list, blank=True)
    priorities = models.JSONField(default=list, blank=True)
    store_ids = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    segments = models.JSONField(default=list, blank=True)  # e.g. ["vip"] (workflow.segments)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    business_hours = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="sla_policy_name_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["account", "is_active", "position"])]

    def __str__(self) -> str:
        return self.name

    def minutes_for(self, target: str) -> int | None:
        value: int | None = getattr(self, f"{target}_minutes")
        return value


class SlaClock(TenantModel):
    """The running SLA clocks of one conversation (written only by `workflow.sla`).

    Per target: when it started, how much business time it spent paused (waiting on the
    customer), its due time (null when it is not running: met, not started, or paused), and
    whether it was breached. `paused_at` is set while the conversation waits on the customer.
    """

    conversation = models.OneToOneField(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    paused_at = models.DateTimeField(null=True, blank=True)
    # The targets breached so far, in order, each once (the API's `breached`; the history with
    # times is SlaBreach).
    breached = models.JSONField(default=list, blank=True)

    first_response_started_at = models.DateTimeField(null=True, blank=True)
    first_response_paused_seconds = models.PositiveIntegerField(default=0)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)

    next_response_started_at = models.DateTimeField(null=True, blank=True)
    next_response_paused_seconds = models.PositiveIntegerField(default=0)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_breached = models.BooleanField(default=False)

    resolution_started_at = models.DateTimeField(null=True, blank=True)
    resolution_paused_seconds = models.PositiveIntegerField(default=0)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_at = models.DateTimeField(null=True, blank=True)
    resolution_breached = models.BooleanField(default=False)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["first_response_due_at"], name="sla_first_due"),
            models.Index(fields=["next_response_due_at"], name="sla_next_due"),
            models.Index(fields=["resolution_due_at"], name="sla_resolution_due"),
        ]


class SlaBreach(TenantModel):
    """A target missed: kept for reports even when the policy later changes or goes."""

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    policy_name = models.CharField(max_length=120)
    target = models.CharField(max_length=16, choices=SlaTarget.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # When the late answer / resolution came (null while still outstanding).
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "target", "started_at"],
                                    name="sla_breach_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["account", "due_at"])]
