"""Business hours per account and per team, and the record that an account got its defaults."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from storedesk.core.models import TenantModel


class BusinessHours(TenantModel):
    """When an account (team=None) or one team is at work. Read through `workflow.hours`.

    `weekly` is {"mon": [["09:00", "17:00"]], ...} in local wall-clock time (a missing day is
    closed); `holidays` is a list of local dates ["2026-12-25", ...]. Both are validated by
    `workflow.actions_hours` before they are saved.
    """

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    zone = models.CharField(max_length=64, default="UTC")
    weekly = models.JSONField(default=dict)
    holidays = models.JSONField(default=list, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(team__isnull=True), name="hours_account_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"hours of account {self.account_id}, team {self.team_id}"


class WorkflowSetup(models.Model):
    """One row per account once its default business hours and SLA policies were created
    (so an admin who deletes a default does not get it back)."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="+")
    defaults_created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"workflow set up for account {self.account_id}"
