"""Auto-assignment: pools (per inbox or team) and each agent's availability, capacity, skills."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_OPEN = "least_open", _("Fewest open conversations")


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")


class AssignmentPool(TenantModel):
    """Auto-assignment for the conversations of one inbox or of one team (the team's pool
    wins). Candidates: the team's members (an inbox pool: its team's, or every full agent)."""

    inbox = models.OneToOneField("inbox.Inbox", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+")
    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    strategy = models.CharField(max_length=16, choices=Strategy.choices,
                                default=Strategy.LEAST_OPEN)
    capacity = models.PositiveIntegerField(default=10)  # open conversations per agent
    only_online = models.BooleanField(default=True)
    # agents whose workspace is closed (no socket seen by realtime presence) count as away
    away_when_offline = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(inbox__isnull=False, team__isnull=True)
                           | Q(inbox__isnull=True, team__isnull=False)),
                name="pool_inbox_xor_team"),
        ]

    def __str__(self) -> str:
        return f"pool {self.pk} (inbox {self.inbox_id}, team {self.team_id})"


class AgentProfile(TenantModel):
    """How routing sees one agent. Empty skill lists mean "any"."""

    membership = models.OneToOneField("accounts.Membership", on_delete=models.CASCADE,
                                      related_name="+")
    availability = models.CharField(max_length=8, choices=Availability.choices,
                                    default=Availability.ONLINE)
    capacity = models.PositiveIntegerField(null=True, blank=True)  # overrides the pool's
    languages = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    store_ids = models.JSONField(default=list, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    # set away by presence (not by the agent): presence sets them online again when seen
    away_by_presence = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"routing profile of membership {self.membership_id}"
