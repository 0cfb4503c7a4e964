"""Timed rule triggers, found by the worker's minute sweep (`tasks.run_timed_rules`).

* "SLA about to breach": a running (not paused, not breached) target of an SLA clock whose due
  time falls within the rule's lead time. Once per rule and target run: the tick's key is the
  target and its start, so a later "next response" run warns again, a repeat sweep never.
* "Scheduled time": every N hours (UTC-aligned) or every day at HH:MM in the account's zone.
  The rule's `next_tick_at` says when; at that tick every conversation of the account that is
  not resolved or closed and matches the rule's conditions is taken once. A tick missed while
  no worker ran is taken once, late; the ones before it are skipped, not replayed.

Each hit is a `RuleTick` row (unique per rule, conversation and key: two workers sweeping
together take it once) and an event written for that one rule (`sla.about_to_breach` /
`rule.scheduled`, data: rule_id), which the rules subscriber evaluates like any other trigger:
a `RuleFiring`, the actions as the rule actor, a `rule.fired` line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.accounts.actor import SYSTEM
from storedesk.accounts.models import Account
from storedesk.events import EventKind
from storedesk.inbox.models import Conversation, Status
from storedesk.workflow.models import AutomationRule, RuleTick, SlaClock
from storedesk.workflow.rules import matches
from storedesk.workflow.rules_conditions import Facts
from storedesk.workflow.sla import TARGETS

BATCH = 500


def run(now: datetime | None = None) -> int:
    """One sweep: both timed triggers; the number of events written."""
    now = now or timezone.now()
    return warn_due_soon(now) + run_schedules(now)


# --- SLA about to breach -------------------------------------------------------------------------


def warn_due_soon(now: datetime) -> int:
    written = 0
    rules = (AutomationRule.objects.filter(is_active=True, sla_lead_minutes__isnull=False)
             .order_by("pk"))
    for rule in rules:
        if "sla_about_to_breach" not in rule.triggers or not rule.sla_lead_minutes:
            continue
        horizon = now + timedelta(minutes=rule.sla_lead_minutes)
        for target in TARGETS:
            rows = list(
                SlaClock.objects.filter(
                    account_id=rule.account_id, paused_at__isnull=True,
                    **{f"{target}_due_at__gt": now, f"{target}_due_at__lte": horizon,
                       f"{target}_breached": False})
                .values_list("conversation_id", f"{target}_started_at", f"{target}_due_at")
                .order_by("pk")[:BATCH])
            hits = {conversation_id: (f"sla:{target}:{started.isoformat()}", due)
                    for conversation_id, started, due in rows if started is not None}
            done = _ticked(rule, list(hits), [key for key, _due in hits.values()])
            for conversation_id, (key, due) in hits.items():
                if (conversation_id, key) in done:
                    continue
                written += _tick(rule, conversation_id, key, EventKind.SLA_ABOUT_TO_BREACH,
                                 target=target, due_at=due.isoformat(),
                                 lead_minutes=rule.sla_lead_minutes)
    return written


# --- Scheduled time ------------------------------------------------------------------------------


def zone_of(account_id: int) -> ZoneInfo:
    name = Account.objects.filter(pk=account_id).values_list("timezone", flat=True).first()
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_tick(rule: AutomationRule, after: datetime) -> datetime | None:
    """The rule's first schedule tick strictly after `after` (None: not scheduled)."""
    if rule.schedule_every_hours:
        step = rule.schedule_every_hours * 3600
        stamp = (int(after.timestamp()) // step + 1) * step
        return datetime.fromtimestamp(stamp, UTC)
    if rule.schedule_daily_at is not None:
        zone = zone_of(rule.account_id)
        day = after.astimezone(zone).date()
        for offset in range(3):
            candidate = datetime.combine(day + timedelta(days=offset), rule.schedule_daily_at,
                                         tzinfo=zone).astimezone(UTC)
            if candidate > after:
                return candidate
    return None


def run_schedules(now: datetime) -> int:
    written = 0
    for rule in (AutomationRule.objects.filter(is_active=True, next_tick_at__lte=now)
                 .order_by("next_tick_at", "pk")):
        tick = rule.next_tick_at
        assert tick is not None  # noqa: S101 - filtered on
        if "scheduled" in rule.triggers:
            written += _run_tick(rule, tick)
        AutomationRule.objects.filter(pk=rule.pk, next_tick_at=tick).update(
            next_tick_at=next_tick(rule, now) if "scheduled" in rule.triggers else None)
    return written


def _run_tick(rule: AutomationRule, tick: datetime) -> int:
    key = f"schedule:{tick.astimezone(UTC).isoformat()}"
    open_ids = (Conversation.objects.filter(account_id=rule.account_id)
                .exclude(status__in=(Status.RESOLVED, Status.CLOSED))
                .order_by("pk").values_list("pk", flat=True))
    written, after = 0, 0
    while True:
        ids = list(open_ids.filter(pk__gt=after)[:BATCH])
        if not ids:
            return written
        done = _ticked(rule, ids, [key])
        for conversation_id in ids:
            if (conversation_id, key) not in done:
                written += _tick(rule, conversation_id, key, EventKind.RULE_SCHEDULED,
                                 tick=tick.isoformat())
        after = ids[-1]


# --- One hit -------------------------------------------------------------------------------------


def _ticked(rule: AutomationRule, conversation_ids: list[int], keys: list[str]
            ) -> set[tuple[int, str]]:
    if not conversation_ids:
        return set()
    return set(RuleTick.objects.filter(rule=rule, conversation_id__in=conversation_ids,
                                       key__in=keys).values_list("conversation_id", "key"))


@transaction.atomic
def _tick(rule: AutomationRule, conversation_id: int, key: str, kind: EventKind,
          **data: Any) -> int:
    """Take one hit (1) unless the conversation does not match now or it was taken (0)."""
    from storedesk.inbox.actions import add_timeline_event

    conversation = (Conversation.objects.select_related("inbox", "contact")
                    .filter(pk=conversation_id, account_id=rule.account_id).first())
    if conversation is None or not matches(rule, Facts(conversation, None)):
        return 0
    try:
        with transaction.atomic():
            RuleTick.objects.create(account_id=rule.account_id, rule=rule,
                                    conversation=conversation, key=key)
    except IntegrityError:
        return 0  # another worker took it
    add_timeline_event(conversation, SYSTEM, kind, rule_id=rule.pk, **data)
    return 1
