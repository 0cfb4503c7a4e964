"""Writes of SLA settings: policies (create, update, delete) and business hours.

Validated here, so the API and the settings pages refuse the same things; every change is
audited and re-targets the open conversations' clocks after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent, Team
from storedesk.core.errors import ActionError
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.inbox.channels import is_channel
from storedesk.inbox.models import Conversation, Priority
from storedesk.workflow import hours
from storedesk.workflow.models import BusinessHours, SlaPolicy
from storedesk.workflow.segments import SEGMENTS

MAX_TARGET_MINUTES = 366 * 24 * 60
MAX_CONDITION_VALUES = 50


@dataclass
class PolicySpec:
    name: str
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_hours: bool = True
    position: int = 100
    is_active: bool = True
    channels: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    store_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)


def _distinct(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    if len(out) > MAX_CONDITION_VALUES:
        raise ActionError(gettext_noop("A condition lists at most 50 values."))
    return out


def clean_policy(account_id: int, spec: PolicySpec) -> dict[str, Any]:
    from storedesk.inbox.actions import TAG_RE

    name = spec.name.strip()
    if not name:
        raise ActionError(gettext_noop("A policy needs a name."))
    if len(name) > 120:
        raise ActionError(gettext_noop("The name is too long (120 characters at most)."))
    targets = {}
    for target in ("first_response", "next_response", "resolution"):
        minutes = getattr(spec, f"{target}_minutes")
        if minutes is not None and not 1 <= minutes <= MAX_TARGET_MINUTES:
            raise ActionError(gettext_noop("A target is between 1 minute and 366 days."))
        targets[f"{target}_minutes"] = minutes
    if all(v is None for v in targets.values()):
        raise ActionError(gettext_noop("A policy needs at least one target."))
    if not 0 <= spec.position <= 1_000_000:
        raise ActionError(gettext_noop("The position is between 0 and 1000000."))
    channels = _distinct([c.strip() for c in spec.channels if c.strip()])
    if any(not is_channel(c) for c in channels):
        raise ActionError(gettext_noop("Unknown channel."))
    priorities = _distinct([p.strip() for p in spec.priorities if p.strip()])
    if any(p not in Priority.values for p in priorities):
        raise ActionError(gettext_noop("Unknown priority."))
    store_ids = _distinct(list(spec.store_ids))
    store_model = Conversation._meta.get_field("store").related_model
    if store_ids and store_model._default_manager.filter(  # type: ignore[union-attr]
            account_id=account_id, pk__in=store_ids).count() != len(store_ids):
        raise ActionError(gettext_noop("Unknown store."))
    tags = _distinct([t.strip().lower() for t in spec.tags if t.strip()])
    if any(not TAG_RE.match(t) for t in tags):
        raise ActionError(gettext_noop("A tag is 1-64 letters, digits, spaces or . : / - _"))
    segments = _distinct([s.strip() for s in spec.segments if s.strip()])
    if any(s not in SEGMENTS for s in segments):
        raise ActionError(gettext_noop("Unknown customer segment."))
    return {"name": name, **targets, "business_hours": bool(spec.business_hours),
            "position": spec.position, "is_active": bool(spec.is_active), "channels": channels,
            "priorities": priorities, "store_ids": store_ids, "tags": tags,
            "segments": segments}


def _reapply_after_commit(account_id: int) -> None:
    from storedesk.workflow.tasks import reapply_sla_policies

    enqueue_on_commit(reapply_sla_policies, account_id)


@transaction.atomic
def create_sla_policy(account: Account, spec: PolicySpec, *, by: Agent | None = None
                      ) -> SlaPolicy:
    from storedesk.workflow.sla import ensure_defaults

    ensure_defaults(account.pk)  # the defaults come first, never after an admin's own policy
    values = clean_policy(account.pk, spec)
    if SlaPolicy.objects.filter(account=account, name=values["name"]).exists():
        raise ActionError(gettext_noop("There is already a policy with that name."))
    try:
        with transaction.atomic():
            policy = SlaPolicy.objects.create(account=account, **values)
    except IntegrityError as exc:
        raise ActionError(gettext_noop("There is already a policy with that name.")) from exc
    audit("sla_policy.created", account=account, actor=by, obj=policy, name=policy.name)
    _reapply_after_commit(account.pk)
    return policy


@transaction.atomic
def update_sla_policy(policy: SlaPolicy, spec: PolicySpec, *, by: Agent | None = None
                      ) -> SlaPolicy:
    values = clean_policy(policy.account_id, spec)
    if SlaPolicy.objects.filter(account_id=policy.account_id, name=values["name"]).exclude(
            pk=policy.pk).exists():
        raise ActionError(gettext_noop("There is already a policy with that name."))
    for key, value in values.items():
        setattr(policy, key, value)
    policy.save()
    audit("sla_policy.updated", account=policy.account_id, actor=by, obj=policy,
          name=policy.name)
    _reapply_after_commit(policy.account_id)
    return policy


@transaction.atomic
def delete_sla_policy(policy: SlaPolicy, *, by: Agent | None = None) -> None:
    audit("sla_policy.deleted", account=policy.account_id, actor=by, obj=policy,
          name=policy.name)
    account_id = policy.account_id
    policy.delete()
    _reapply_after_commit(account_id)


@transaction.atomic
def set_business_hours(
    account: Account, *, zone: str, weekly: dict[str, Any], holidays: list[Any],
    team: Team | None = None, by: Agent | None = None,
) -> BusinessHours:
    """Replace the account's (or a team's) business hours, validated as a schedule."""
    if team is not None and team.account_id != account.pk:
        raise ActionError(gettext_noop("That team does not belong to this account."))
    try:
        schedule = hours.schedule_from(zone, weekly, holidays)
    except hours.ScheduleError as exc:
        raise ActionError(str(exc)) from exc
    if len(schedule.holidays) > 1000:
        raise ActionError(gettext_noop("At most 1000 holidays."))
    row = BusinessHours.objects.select_for_update().filter(account=account, team=team).first()
    if row is None:
        row = BusinessHours(account=account, team=team)
    row.zone = zone
    row.weekly = hours.dump_weekly(schedule.weekly)
    row.holidays = sorted(d.isoformat() for d in schedule.holidays)
    row.save()
    audit("business_hours.updated", account=account, actor=by, obj=row,
          team=team.pk if team else None)
    _reapply_after_commit(account.pk)
    return row


@transaction.atomic
def delete_team_hours(team: Team, *, by: Agent | None = None) -> None:
    """The team works the account's hours again."""
    deleted, _ = BusinessHours.objects.filter(account_id=team.account_id, team=team).delete()
    if deleted:
        audit("business_hours.deleted", account=team.account_id, actor=by, team=team.pk)
        _reapply_after_commit(team.account_id)
