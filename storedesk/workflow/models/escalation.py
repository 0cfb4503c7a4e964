"""Escalation plans: steps that run one after another on a conversation (on a breach, or on
an angry/complaint conversation), each exactly once."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class EscalationTrigger(models.TextChoices):
    SLA_BREACHED = "sla_breached", _("An SLA target is breached")
    TAGGED = "tagged", _("The conversation gets a tag")
    INTENT = "intent", _("The conversation's intent is")


class EscalationPlan(TenantModel):
    """`steps`: [{"after_minutes": 0, "type": <a rule action>, "value": ...}, ...], in order;
    `after_minutes` counts from the start of the escalation (wall-clock)."""

    name = models.CharField(max_length=120)
    trigger = models.CharField(max_length=16, choices=EscalationTrigger.choices)
    trigger_value = models.CharField(max_length=64, blank=True)  # the tag or intent
    steps = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="escalation_plan_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Escalation(TenantModel):
    """One plan running on one conversation (at most one running per plan and conversation)."""

    plan = models.ForeignKey(EscalationPlan, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    started_at = models.DateTimeField()
    next_step = models.PositiveIntegerField(default=0)
    next_due_at = models.DateTimeField(null=True, blank=True)  # null once finished/stopped
    finished_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)  # resolved before the end

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["plan", "conversation"],
                condition=Q(finished_at__isnull=True, stopped_at__isnull=True),
                name="one_running_escalation"),
        ]
        indexes: ClassVar = [models.Index(fields=["next_due_at"], name="escalation_due")]


class EscalationStepRun(models.Model):
    """A step that ran (unique: a step never runs twice)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="runs")
    step = models.PositiveIntegerField()
    ran_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["escalation", "step"], name="escalation_step_once"),
        ]

    def __str__(self) -> str:
        return f"step {self.step} of escalation {self.escalation_id}"
