"""API schemas of the workflow: the conversation's `sla`, SLA policies."""

from __future__ import annotations

from datetime import datetime

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
