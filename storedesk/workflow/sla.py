"""SLA clocks: which policy applies, when each target is due, pauses, breaches.

Every write to `SlaClock` / `SlaBreach` is here, each function in one transaction under the
clock's row lock, driven by the domain events of the conversation (`workflow.subscribers`)
and by the minute sweep (`workflow.tasks.mark_sla_breaches`). Times come from the events
(`Event.created_at`), never from "now" at handling time, so a late worker computes the same
clocks as a prompt one.

- first response: from the conversation's opening until the first agent (or bot) reply;
- next response: from a shopper's message after an answer until the next answer;
- resolution: from the opening until resolved/closed.

While the conversation waits on the customer (pending, snoozed) or is resolved, every clock
is paused; the business time spent paused is added to each running target when it resumes,
so `due = start + target + paused` in business time. A paused clock has no due time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from storedesk.accounts.actor import SYSTEM, Actor
from storedesk.accounts.models import Account
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.actions.outcomes import RESPONDERS  # who answers the shopper
from storedesk.inbox.models import Conversation, Status
from storedesk.workflow import hours
from storedesk.workflow.models import (
    BusinessHours,
    SlaBreach,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    WorkflowSetup,
)
from storedesk.workflow.segments import in_segment

log = logging.getLogger(__name__)

TARGETS: tuple[str, ...] = tuple(SlaTarget.values)
PAUSING = frozenset({Status.PENDING, Status.SNOOZED, Status.RESOLVED, Status.CLOSED})
DONE = frozenset({Status.RESOLVED, Status.CLOSED})
SWEEP_BATCH = 500


# --- Schedules and policies ----------------------------------------------------------------------


def schedule_for(conversation: Conversation) -> hours.Schedule:
    """The team's business hours, else the account's, else always open in the account's zone."""
    rows = {
        row.team_id: row
        for row in BusinessHours.objects.filter(account_id=conversation.account_id).filter(
            Q(team__isnull=True) | Q(team_id=conversation.team_id)
        )
    }
    row = rows.get(conversation.team_id) or rows.get(None)
    if row is None:
        zone = Account.objects.values_list("timezone", flat=True).get(pk=conversation.account_id)
        return hours.Schedule(zone=zone if hours.is_time_zone(zone) else "UTC")
    return hours.schedule_from(row.zone, row.weekly, row.holidays)


@dataclass(frozen=True)
class Facts:
    """What policy conditions look at, read once per evaluation."""

    channel: str
    priority: str
    store_id: int | None
    tags: frozenset[str]


def facts_of(conversation: Conversation) -> Facts:
    return Facts(
        channel=conversation.inbox.channel,
        priority=conversation.priority,
        store_id=conversation.store_id,
        tags=frozenset(conversation.tags.values_list("name", flat=True)),
    )


def policy_matches(policy: SlaPolicy, facts: Facts, conversation: Conversation) -> bool:
    if policy.channels and facts.channel not in policy.channels:
        return False
    if policy.priorities and facts.priority not in policy.priorities:
        return False
    if policy.store_ids and facts.store_id not in policy.store_ids:
        return False
    if policy.tags and not facts.tags.intersection(policy.tags):
        return False
    return not policy.segments or any(in_segment(s, conversation) for s in policy.segments)


def policy_for(conversation: Conversation) -> SlaPolicy | None:
    """The first active policy (by position) whose conditions all match, or None."""
    facts = facts_of(conversation)
    policies = SlaPolicy.objects.filter(account_id=conversation.account_id, is_active=True)
    for policy in policies.order_by("position", "id"):
        if policy_matches(policy, facts, conversation):
            return policy
    return None


# --- Defaults ------------------------------------------------------------------------------------

DEFAULT_WEEKLY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
DEFAULT_POLICIES: tuple[dict[str, Any], ...] = (
    {"name": "Chat: first response within 1 hour", "position": 10, "channels": ["webchat"],
     "first_response_minutes": 60},
    {"name": "Email: first response within 24 hours", "position": 20, "channels": ["email"],
     "first_response_minutes": 24 * 60},
)


def ensure_defaults(account_id: int) -> bool:
    """Give an account its default business hours (Mon-Fri 09:00-17:00 in its zone) and SLA
    policies, once. True when they were created now."""
    if WorkflowSetup.objects.filter(account_id=account_id).exists():
        return False
    zone = Account.objects.values_list("timezone", flat=True).get(pk=account_id)
    try:
        with transaction.atomic():
            WorkflowSetup.objects.create(account_id=account_id)
            if not BusinessHours.objects.filter(account_id=account_id, team__isnull=True).exists():
                BusinessHours.objects.create(
                    account_id=account_id, zone=zone if hours.is_time_zone(zone) else "UTC",
                    weekly=DEFAULT_WEEKLY, holidays=[])
            for spec in DEFAULT_POLICIES:
                if not SlaPolicy.objects.filter(account_id=account_id, name=spec["name"]).exists():
                    SlaPolicy.objects.create(account_id=account_id, **spec)
    except IntegrityError:  # another worker set the account up at the same moment
        return False
    return True


# --- Clock arithmetic ----------------------------------------------------------------------------


def _due(clock: SlaClock, target: str, schedule: hours.Schedule) -> datetime | None:
    policy = clock.policy
    started = getattr(clock, f"{target}_started_at")
    if policy is None or started is None or clock.paused_at is not None:
        return None
    if target == SlaTarget.FIRST_RESPONSE and clock.first_response_at is not None:
        return None
    if target == SlaTarget.RESOLUTION and clock.resolution_at is not None:
        return None
    minutes = policy.minutes_for(target)
    if minutes is None:
        return None
    paused = getattr(clock, f"{target}_paused_seconds")
    budget = timedelta(minutes=minutes, seconds=paused)
    return hours.add_business_time(schedule if policy.business_hours else hours.ALWAYS,
                                   started, budget)


def _recompute(clock: SlaClock, schedule: hours.Schedule) -> None:
    for target in TARGETS:
        setattr(clock, f"{target}_due_at", _due(clock, target, schedule))


def _for_update() -> QuerySet[SlaClock]:
    # of=self: PostgreSQL cannot lock the nullable side of the policy join (nor need it)
    return SlaClock.objects.select_for_update(of=("self",)).select_related("policy")


def _locked_clock(conversation: Conversation, at: datetime | None = None) -> SlaClock:
    """The conversation's clock, locked; created if new: from the conversation's opening, or,
    for imported history, from `at` (the first live event after the import; see
    `_clock_start`)."""
    clock = _for_update().filter(conversation=conversation).first()
    if clock is not None:
        return clock
    ensure_defaults(conversation.account_id)
    start = _clock_start(conversation, at)
    try:
        with transaction.atomic():
            SlaClock.objects.create(
                account_id=conversation.account_id, conversation=conversation,
                policy=policy_for(conversation),
                first_response_started_at=start,
                resolution_started_at=start,
                first_response_at=conversation.first_reply_at,
            )
    except IntegrityError:  # created by a concurrent handler: take theirs
        pass
    clock = _for_update().get(conversation=conversation)
    if conversation.first_reply_at is not None and clock.first_response_at is None:
        clock.first_response_at = conversation.first_reply_at
    return clock


def _clock_start(conversation: Conversation, at: datetime | None) -> datetime:
    """When a new clock's targets start counting.

    Imported history (`conversation.imported`, written by inbox.actions.import_history) starts
    no clock: what happened in the other helpdesk was measured there. An imported conversation
    gets its clock on its first live event (a shopper writing again, an agent's change), and its
    targets count from that event, so a never-answered imported conversation is due one target
    length after it comes alive, not overdue since the day it was first opened.
    """
    if at is not None and at > conversation.created_at and Event.objects.filter(
            conversation=conversation, kind=EventKind.CONVERSATION_IMPORTED).exists():
        return at
    return conversation.created_at


def _save(clock: SlaClock, conversation: Conversation, at: datetime) -> None:
    _recompute(clock, schedule_for(conversation))
    clock.save()
    _record_due_breaches(clock, conversation, at)


# --- Reacting to the conversation ----------------------------------------------------------------


@transaction.atomic
def on_event(event: Event) -> None:
    """Apply one domain event of a conversation to its SLA clock."""
    if event.conversation_id is None:
        return
    conversation = (
        Conversation.objects.select_related("inbox").filter(pk=event.conversation_id).first()
    )
    if conversation is None:
        return
    at = event.created_at
    clock = _locked_clock(conversation, at)
    kind = event.kind
    data = event.data or {}
    if kind == EventKind.MESSAGE_RECEIVED:
        _customer_wrote(clock, at)
    elif kind == EventKind.MESSAGE_CREATED and event.actor_type in RESPONDERS:
        _answered(clock, conversation, at)
    elif kind == EventKind.CONVERSATION_STATUS_CHANGED:
        _status_changed(clock, conversation, str(data.get("new", "")), at)
    elif kind in (EventKind.CONVERSATION_PRIORITY_CHANGED, EventKind.CONVERSATION_TAGGED,
                  EventKind.CONVERSATION_UNTAGGED, EventKind.CONVERSATION_ASSIGNED):
        clock.policy = policy_for(conversation)  # conditions may match another policy now
    _save(clock, conversation, at)


def _customer_wrote(clock: SlaClock, at: datetime) -> None:
    if clock.first_response_at is None or clock.next_response_started_at is not None:
        return  # still waiting for the first answer, or already waiting for the next one
    clock.next_response_started_at = at
    clock.next_response_paused_seconds = 0
    clock.next_response_breached = False


def _answered(clock: SlaClock, conversation: Conversation, at: datetime) -> None:
    if clock.first_response_at is None:
        _meet(clock, conversation, SlaTarget.FIRST_RESPONSE, at)
        clock.first_response_at = at
    if clock.next_response_started_at is not None:
        _meet(clock, conversation, SlaTarget.NEXT_RESPONSE, at)
        clock.next_response_started_at = None
        clock.next_response_paused_seconds = 0
        clock.next_response_breached = False


def _status_changed(clock: SlaClock, conversation: Conversation, new: str, at: datetime) -> None:
    if new in PAUSING and clock.paused_at is None:
        _record_due_breaches(clock, conversation, at)  # a target due before the pause counts
        clock.paused_at = at
    elif new not in PAUSING and clock.paused_at is not None:
        schedule = schedule_for(conversation)
        for target in TARGETS:
            started = getattr(clock, f"{target}_started_at")
            if started is None:
                continue
            business = schedule if clock.policy is None or clock.policy.business_hours \
                else hours.ALWAYS
            paused = hours.business_time_between(business, max(clock.paused_at, started), at)
            field = f"{target}_paused_seconds"
            setattr(clock, field, getattr(clock, field) + int(paused.total_seconds()))
        clock.paused_at = None
    if new in DONE and clock.resolution_at is None:
        _meet(clock, conversation, SlaTarget.RESOLUTION, at)
        clock.resolution_at = at
    elif new not in DONE and clock.resolution_at is not None:
        clock.resolution_at = None  # reopened: the resolution clock runs on (time resolved paused)


def _meet(clock: SlaClock, conversation: Conversation, target: str, at: datetime) -> None:
    """A target is met at `at`: late (after its due time) records the breach now if the sweep
    has not yet; the breach row learns when it was met."""
    due = getattr(clock, f"{target}_due_at")
    started = getattr(clock, f"{target}_started_at")
    if due is not None and at > due and not getattr(clock, f"{target}_breached"):
        _breach(clock, conversation, target, due, met_at=at)
    elif started is not None:
        SlaBreach.objects.filter(conversation=conversation, target=target, started_at=started,
                                 met_at__isnull=True).update(met_at=at)


# --- Breaches ------------------------------------------------------------------------------------


def _record_due_breaches(clock: SlaClock, conversation: Conversation, now: datetime) -> int:
    count = 0
    for target in TARGETS:
        due = getattr(clock, f"{target}_due_at")
        if due is not None and due <= now and not getattr(clock, f"{target}_breached"):
            _breach(clock, conversation, target, due)
            count += 1
    return count


def _breach(clock: SlaClock, conversation: Conversation, target: str, due: datetime,
            *, met_at: datetime | None = None, actor: Actor = SYSTEM) -> None:
    from storedesk.inbox.actions import add_timeline_event

    started = getattr(clock, f"{target}_started_at")
    setattr(clock, f"{target}_breached", True)
    if target not in clock.breached:
        clock.breached = [*clock.breached, target]
    SlaClock.objects.filter(pk=clock.pk).update(
        **{f"{target}_breached": True}, breached=clock.breached)
    policy_name = clock.policy.name if clock.policy else ""
    _, created = SlaBreach.objects.get_or_create(
        conversation=conversation, target=target, started_at=started,
        defaults={"account_id": conversation.account_id, "policy": clock.policy,
                  "policy_name": policy_name, "due_at": due, "met_at": met_at},
    )
    if created:
        add_timeline_event(conversation, actor, EventKind.SLA_BREACHED, target=target,
                           policy=policy_name, due_at=due.isoformat())


def overdue_clock_ids(now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Clocks with a running target past its due time that is not yet recorded as breached."""
    due = Q()
    for target in TARGETS:
        due |= Q(**{f"{target}_due_at__lte": now, f"{target}_breached": False})
    return list(
        SlaClock.objects.filter(due, paused_at__isnull=True).order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def mark_breaches(clock_id: int, now: datetime | None = None) -> int:
    """Record the breaches of one clock whose targets are past due (idempotent)."""
    now = now or timezone.now()
    clock = _for_update().filter(pk=clock_id).first()
    if clock is None or clock.paused_at is not None:
        return 0
    conversation = Conversation.objects.get(pk=clock.conversation_id)
    return _record_due_breaches(clock, conversation, now)


# --- Reads (the API field and the sidebar panel) -------------------------------------------------


def sla_values(conversations: Sequence[Conversation]) -> dict[int, dict[str, Any] | None]:
    """The API's `sla` of each conversation, in one query for the whole page."""
    ids = [c.pk for c in conversations]
    if not ids:
        return {}
    clocks = {
        clock.conversation_id: clock
        for clock in SlaClock.objects.filter(conversation_id__in=ids).select_related("policy")
    }
    values: dict[int, dict[str, Any] | None] = {}
    for conversation_id in ids:
        clock = clocks.get(conversation_id)
        if clock is None or clock.policy is None:
            values[conversation_id] = None
            continue
        values[conversation_id] = {
            "policy": clock.policy.name,
            "first_response_due_at": clock.first_response_due_at,
            "next_response_due_at": clock.next_response_due_at,
            "resolution_due_at": clock.resolution_due_at,
            "breached": list(clock.breached),
        }
    return values


@dataclass(frozen=True)
class RunningClock:
    target: str
    label: str
    due_at: datetime | None
    state: str  # "running", "overdue", "met", "paused"
    remaining: timedelta | None

    @property
    def minutes(self) -> int | None:
        """Whole minutes left (or overdue by), for the panel."""
        if self.remaining is None:
            return None
        return int(abs(self.remaining.total_seconds()) // 60)


def clock_view(conversation: Conversation, now: datetime | None = None) -> dict[str, Any] | None:
    """The sidebar panel's data: the policy, each target's state, the breach history."""
    now = now or timezone.now()
    clock = SlaClock.objects.select_related("policy").filter(conversation=conversation).first()
    if clock is None or clock.policy is None:
        return None
    rows: list[RunningClock] = []
    for target, label in SlaTarget.choices:
        if clock.policy.minutes_for(target) is None:
            continue
        due = getattr(clock, f"{target}_due_at")
        started = getattr(clock, f"{target}_started_at")
        met = (clock.first_response_at if target == SlaTarget.FIRST_RESPONSE
               else clock.resolution_at if target == SlaTarget.RESOLUTION else None)
        if met is not None:
            state = "met"
        elif started is None:
            continue
        elif clock.paused_at is not None:
            state = "paused"
        elif due is not None and due <= now:
            state = "overdue"
        else:
            state = "running"
        rows.append(RunningClock(target, str(label), due, state,
                                 (due - now) if due is not None else None))
    breaches = list(SlaBreach.objects.filter(conversation=conversation).order_by("due_at", "id"))
    return {"policy": clock.policy, "clocks": rows, "breaches": breaches,
            "paused": clock.paused_at is not None}


def reapply_policies(account_id: int, conversation_ids: Iterable[int] | None = None) -> int:
    """Re-pick the policy of the open conversations' clocks (after policies were edited)."""
    clocks = SlaClock.objects.filter(account_id=account_id, resolution_at__isnull=True)
    if conversation_ids is not None:
        clocks = clocks.filter(conversation_id__in=list(conversation_ids))
    count = 0
    for conversation_id in clocks.values_list("conversation_id", flat=True).iterator():
        with transaction.atomic():
            conversation = Conversation.objects.select_related("inbox").get(pk=conversation_id)
            clock = _locked_clock(conversation)
            clock.policy = policy_for(conversation)
            _recompute(clock, schedule_for(conversation))
            clock.save()
            count += 1
    return count
