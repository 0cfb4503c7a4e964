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
    # "SLA about to breach": minutes before a target's due time (set only with that trigger)
    sla_lead_minutes = models.PositiveIntegerField(null=True, blank=True)
    # "Scheduled time": every N hours (UTC-aligned), or daily at a wall-clock time in the
    # account's zone (one of the two, only with that trigger); the next tick the sweep runs
    schedule_every_hours = models.PositiveIntegerField(null=True, blank=True)
    schedule_daily_at = models.TimeField(null=True, blank=True)
    next_tick_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="rule_name_unique"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["account", "is_active", "position"]),
            models.Index(fields=["next_tick_at"], name="rule_next_tick"),
        ]

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


class RuleTick(TenantModel):
    """A timed trigger that went off for one rule on one conversation: `key` is the SLA target
    run ("sla:first_response:<started at>") or the schedule tick ("schedule:<tick>"). Unique,
    so each fires at most once per clock run or per tick, even with two workers sweeping."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    key = models.CharField(max_length=100)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["rule", "conversation", "key"],
                                    name="rule_tick_once"),
        ]
