"""Automation rules: when (triggers) + if (conditions) + then (actions), and their firings."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from storedesk.core.models import TenantModel


class AutomationRule(TenantModel):
    """Validated by `workflow.rules` on save: `triggers` are trigger keys, `conditions` a list
    of {"field", "op", "value"}, `actions` a list of {"type", "value"} (see the registries)."""

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    triggers = models.JSONField(default=list)
    match_all = models.BooleanField(default=True)  # all conditions, or any of them
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    fire_count = models.PositiveIntegerField(default=0)
    last_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="rule_name_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["account", "is_active", "position"])]

    def __str__(self) -> str:
        return self.name


class RuleFiring(TenantModel):
    """One rule run on one event (once: unique), with what each action did."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="firings")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    results = models.JSONField(default=list)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["rule", "event"], name="rule_fires_once_per_event"),
        ]
