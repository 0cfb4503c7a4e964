"""API schemas of the workflow: the conversation's `sla`, SLA policies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from storedesk.core.validation import SafeStr

MAX_TARGET = 366 * 24 * 60


class SlaOut(Schema):
    """A conversation's SLA clocks. A due time is null when that clock is not running (met,
    not started, paused while waiting on the customer, or no target in the policy)."""

    policy: str = Field(..., description="The name of the policy that applies.")
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    resolution_due_at: datetime | None
    breached: list[str] = Field(
        ..., description="Targets breached so far: first_response, next_response, resolution."
    )


class SlaPolicyIn(Schema):
    name: SafeStr = Field(..., min_length=1, max_length=120)
    first_response_minutes: int | None = Field(None, ge=1, le=MAX_TARGET)
    next_response_minutes: int | None = Field(None, ge=1, le=MAX_TARGET)
    resolution_minutes: int | None = Field(None, ge=1, le=MAX_TARGET)
    business_hours: bool = Field(True, description="Count business time only.")
    position: int = Field(100, ge=0, le=1_000_000,
                          description="Lower first: the first matching active policy applies.")
    is_active: bool = True
    channels: list[SafeStr] = Field([], max_length=50, description="e.g. webchat, email")
    priorities: list[SafeStr] = Field([], max_length=50)
    store_ids: list[int] = Field([], max_length=50)
    tags: list[SafeStr] = Field([], max_length=50, description="Any of these tags.")
    segments: list[SafeStr] = Field([], max_length=50, description="e.g. vip")


class SlaPolicyOut(Schema):
    id: int
    name: str
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool
    position: int
    is_active: bool
    channels: list[str]
    priorities: list[str]
    store_ids: list[int]
    tags: list[str]
    segments: list[str]
    created_at: datetime
    updated_at: datetime


class RuleCondition(Schema):
    field: SafeStr = Field(..., max_length=64, description="e.g. language, channel, tag, text")
    op: SafeStr = Field(..., max_length=32, description="e.g. is, is_not, has, contains")
    value: SafeStr | int = Field(..., description="What to compare with.")


class RuleAction(Schema):
    type: SafeStr = Field(..., max_length=64, description="e.g. assign_team, add_tag")
    value: SafeStr | int = Field(..., description="Its argument (a team id, a tag...).")


class RuleIn(Schema):
    name: SafeStr = Field(..., min_length=1, max_length=120)
    triggers: list[SafeStr] = Field(..., min_length=1, max_length=10,
                                    description="e.g. conversation_created, message_received")
    conditions: list[RuleCondition] = Field([], max_length=20)
    match_all: bool = Field(True, description="All conditions (true) or any of them.")
    actions: list[RuleAction] = Field(..., min_length=1, max_length=10)
    position: int = Field(100, ge=0, le=1_000_000)
    is_active: bool = True
    sla_lead_minutes: int | None = Field(
        None, ge=1, le=7 * 24 * 60,
        description="With the sla_about_to_breach trigger: minutes before a target's due time.")
    schedule_every_hours: int | None = Field(
        None, ge=1, le=24 * 31,
        description="With the scheduled trigger: every N hours (UTC-aligned)...")
    schedule_daily_at: SafeStr | None = Field(
        None, max_length=5, description="... or every day at HH:MM in the account's zone.")


class RuleOut(Schema):
    id: int
    name: str
    triggers: list[str]
    conditions: list[dict[str, Any]]
    match_all: bool
    actions: list[dict[str, Any]]
    position: int
    is_active: bool
    fire_count: int
    last_fired_at: datetime | None
    sla_lead_minutes: int | None
    schedule_every_hours: int | None
    schedule_daily_at: str | None
    next_tick_at: datetime | None

    @staticmethod
    def resolve_schedule_daily_at(obj: Any) -> str | None:
        daily = getattr(obj, "schedule_daily_at", None)
        return daily.strftime("%H:%M") if daily else None


class AvailabilityIn(Schema):
    availability: Literal["online", "away"]


class AvailabilityOut(Schema):
    availability: str
    reassigned: list[int] = Field(..., description="Conversations handed to others.")


class EscalationStepIn(Schema):
    after_minutes: int = Field(0, ge=0, le=366 * 24 * 60,
                               description="Minutes after the escalation starts (in order).")
    type: SafeStr = Field(..., max_length=64, description="A rule action, e.g. assign_team")
    value: SafeStr | int = Field(..., description="Its argument.")


class EscalationPlanIn(Schema):
    name: SafeStr = Field(..., min_length=1, max_length=120)
    trigger: Literal["sla_breached", "tagged", "intent"]
    trigger_value: SafeStr = Field("", max_length=64, description="The tag or the intent.")
    steps: list[EscalationStepIn] = Field(..., min_length=1, max_length=10)
    is_active: bool = True


class EscalationPlanOut(Schema):
    id: int
    name: str
    trigger: str
    trigger_value: str
    steps: list[dict[str, Any]]
    is_active: bool
