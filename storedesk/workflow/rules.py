"""Automation rules: the registry of triggers; validation on save; evaluation on the worker.

A rule is `when` (trigger keys, each a set of event kinds) + `if` (conditions over the
conversation and the event, all or any: `rules_conditions.CONDITIONS`) + `then` (actions
through the owning apps' actions: `rules_actions.ACTIONS`). The timed triggers ("SLA about to
breach" with the rule's lead time, "scheduled time") are events the worker's minute sweep
writes for one rule and one conversation (`rules_timed`); they reach only that rule.

Loops are impossible: rules act as the `rule` actor caused by the event they react to, and
`evaluate` skips every event written by a rule (so a rule never reacts to its own change, nor
to another rule's) and every event whose cause chain already holds MAX_DEPTH rule events (a
rule -> assistant -> rule ... chain through another subscriber stops there). Each run of a rule
on an event is one `RuleFiring` (unique per rule and event) and one `rule.fired` line on the
conversation's timeline; an action that fails (e.g. a status move the table forbids) is
recorded in the firing and the others still apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from storedesk.accounts.actor import Actor, ActorType
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.models import Conversation
from storedesk.workflow.models import AutomationRule, RuleFiring
from storedesk.workflow.rules_actions import ACTIONS, Action
from storedesk.workflow.rules_conditions import CONDITIONS, Condition, Facts
from storedesk.workflow.rules_conditions import matches as conditions_match

log = logging.getLogger(__name__)

MAX_DEPTH = 3  # rule events allowed in an event's cause chain before rules stop reacting
MAX_CONDITIONS = 20
MAX_ACTIONS = 10


# --- Triggers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    key: str
    label: Any
    kinds: frozenset[str]


TRIGGERS: dict[str, Trigger] = {
    t.key: t for t in (
        Trigger("conversation_created", _("Conversation created"),
                frozenset({EventKind.CONVERSATION_OPENED})),
        Trigger("message_received", _("Message received"),
                frozenset({EventKind.MESSAGE_RECEIVED})),
        Trigger("status_changed", _("Status changed"),
                frozenset({EventKind.CONVERSATION_STATUS_CHANGED})),
        Trigger("language_detected", _("Language set"),
                frozenset({EventKind.CONVERSATION_LANGUAGE_SET})),
        Trigger("intent_detected", _("Intent set"),
                frozenset({EventKind.CONVERSATION_INTENT_SET})),
        Trigger("sla_about_to_breach", _("SLA about to breach"),
                frozenset({EventKind.SLA_ABOUT_TO_BREACH})),
        Trigger("sla_breached", _("SLA breached"), frozenset({EventKind.SLA_BREACHED})),
        Trigger("scheduled", _("Scheduled time"), frozenset({EventKind.RULE_SCHEDULED})),
        Trigger("order_event", _("Order event"), frozenset(
            k.value for k in EventKind if k.value.startswith(("order.", "return.")))),
    )
}
TRIGGER_KINDS = frozenset(k for t in TRIGGERS.values() for k in t.kinds)
# Written by the timed sweep for one rule (data: rule_id): only that rule reacts.
TARGETED_KINDS = frozenset({EventKind.SLA_ABOUT_TO_BREACH, EventKind.RULE_SCHEDULED})
MAX_LEAD_MINUTES = 7 * 24 * 60
MAX_EVERY_HOURS = 24 * 31


# --- Conditions and actions: the typed registries ----------------------------------------------

__all__ = ["ACTIONS", "CONDITIONS", "TRIGGERS", "Action", "Condition", "Facts", "RuleSpec",
           "clean_rule", "evaluate"]


# --- Validation ----------------------------------------------------------------------------------


@dataclass
class RuleSpec:
    name: str
    triggers: list[str]
    actions: list[dict[str, Any]]
    conditions: list[dict[str, Any]] = field(default_factory=list)
    match_all: bool = True
    position: int = 100
    is_active: bool = True
    sla_lead_minutes: int | None = None  # "SLA about to breach": how long before the due time
    schedule_every_hours: int | None = None  # "Scheduled time": every N hours...
    schedule_daily_at: str | None = None  # ... or every day at "HH:MM" in the account's zone


def _clean_timing(spec: RuleSpec, triggers: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {"sla_lead_minutes": None, "schedule_every_hours": None,
                              "schedule_daily_at": None}
    if "sla_about_to_breach" in triggers:
        lead = spec.sla_lead_minutes
        if lead is None or not 1 <= int(lead) <= MAX_LEAD_MINUTES:
            raise ActionError(gettext_noop(
                "Say how many minutes before the due time (1 to 10080) the rule runs."))
        values["sla_lead_minutes"] = int(lead)
    if "scheduled" in triggers:
        every, daily = spec.schedule_every_hours, (spec.schedule_daily_at or "").strip()
        if (every is None) == (not daily):
            raise ActionError(gettext_noop(
                "A scheduled rule runs either every N hours or every day at a time."))
        if every is not None:
            if not 1 <= int(every) <= MAX_EVERY_HOURS:
                raise ActionError(gettext_noop("Every 1 to 744 hours."))
            values["schedule_every_hours"] = int(every)
        else:
            try:
                values["schedule_daily_at"] = time.fromisoformat(daily).replace(
                    second=0, microsecond=0, tzinfo=None)
            except ValueError as exc:
                raise ActionError(gettext_noop("Give the time of day as HH:MM.")) from exc
    return values


def clean_rule(account_id: int, spec: RuleSpec) -> dict[str, Any]:
    name = spec.name.strip()
    if not name or len(name) > 120:
        raise ActionError(gettext_noop("A rule needs a name of 1-120 characters."))
    triggers = list(dict.fromkeys(t.strip() for t in spec.triggers if t.strip()))
    if not triggers or any(t not in TRIGGERS for t in triggers):
        raise ActionError(gettext_noop("Choose when the rule runs (known triggers only)."))
    if len(spec.conditions) > MAX_CONDITIONS:
        raise ActionError(gettext_noop("A rule has at most 20 conditions."))
    conditions = []
    for raw in spec.conditions:
        condition = CONDITIONS.get(str(raw.get("field", "")))
        if condition is None:
            raise ActionError(gettext_noop("Unknown condition."))
        op = str(raw.get("op", ""))
        if op not in condition.ops:
            raise ActionError(gettext_noop("Unknown comparison for that condition."))
        conditions.append({"field": condition.key, "op": op,
                           "value": condition.clean(account_id, raw.get("value"))})
    if not spec.actions or len(spec.actions) > MAX_ACTIONS:
        raise ActionError(gettext_noop("A rule does 1 to 10 actions."))
    actions = []
    for raw in spec.actions:
        action = ACTIONS.get(str(raw.get("type", "")))
        if action is None:
            raise ActionError(gettext_noop("Unknown action."))
        actions.append({"type": action.key, "value": action.clean(account_id, raw.get("value"))})
    if not 0 <= spec.position <= 1_000_000:
        raise ActionError(gettext_noop("The position is between 0 and 1000000."))
    return {"name": name, "triggers": triggers, "conditions": conditions,
            "match_all": bool(spec.match_all), "actions": actions, "position": spec.position,
            "is_active": bool(spec.is_active), **_clean_timing(spec, triggers)}


def timing_of(rule: AutomationRule) -> dict[str, Any]:
    """The rule's timed-trigger settings as a RuleSpec takes them (forms, the API)."""
    daily = rule.schedule_daily_at
    return {"sla_lead_minutes": rule.sla_lead_minutes,
            "schedule_every_hours": rule.schedule_every_hours,
            "schedule_daily_at": daily.strftime("%H:%M") if daily else None}


# --- Evaluation ----------------------------------------------------------------------------------


def rule_depth(event: Event) -> int | None:
    """How many rule events are in the event's cause chain (itself included); None when the
    event itself was written by a rule (never reacted to)."""
    if event.actor_type == ActorType.RULE:
        return None
    depth, cause_id, hops = 0, event.cause_id, 0
    while cause_id is not None and hops < 20:
        row = Event.objects.filter(pk=cause_id).values("actor_type", "cause_id").first()
        if row is None:
            break
        if row["actor_type"] == ActorType.RULE:
            depth += 1
        cause_id, hops = row["cause_id"], hops + 1
    return depth


def matches(rule: AutomationRule, facts: Facts) -> bool:
    return conditions_match(rule.conditions, rule.match_all, facts)


def evaluate(event_id: int) -> list[int]:
    """Run the account's matching rules on one event; the ids of the rules that fired."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None or event.kind not in TRIGGER_KINDS:
        return []
    depth = rule_depth(event)
    if depth is None or depth >= MAX_DEPTH:
        return []
    triggers = [key for key, t in TRIGGERS.items() if event.kind in t.kinds]
    candidates = AutomationRule.objects.filter(account_id=event.account_id, is_active=True)
    if event.kind in TARGETED_KINDS:
        candidates = candidates.filter(pk=(event.data or {}).get("rule_id") or 0)
    rules = [r for r in candidates.order_by("position", "pk") if set(r.triggers) & set(triggers)]
    if not rules:
        return []
    conversation = (Conversation.objects.select_related("inbox", "contact")
                    .filter(pk=event.conversation_id or 0).first())
    if conversation is None:
        return []
    facts = Facts(conversation, event)  # read once for every rule (tags, text)
    fired = []
    for rule in rules:
        if matches(rule, facts) and _fire(rule, event):
            fired.append(rule.pk)
            facts = Facts(Conversation.objects.select_related("inbox", "contact")
                          .get(pk=conversation.pk), event)  # the rule may have changed it
    return fired


@transaction.atomic
def _fire(rule: AutomationRule, event: Event) -> bool:
    from storedesk.inbox.actions import add_timeline_event

    conversation = (Conversation.objects.select_related("inbox", "contact")
                    .filter(pk=event.conversation_id or 0).first())
    if conversation is None or not matches(rule, Facts(conversation, event)):
        return False
    try:
        with transaction.atomic():
            firing = RuleFiring.objects.create(account_id=rule.account_id, rule=rule,
                                               event=event, conversation=conversation)
    except IntegrityError:
        return False  # this rule already ran on this event
    actor = Actor.rule().caused_by(event.pk)
    results = []
    for item in rule.actions:
        action = ACTIONS.get(item.get("type", ""))
        if action is None:
            continue
        try:
            with transaction.atomic():
                done = action.run(Conversation.objects.get(pk=conversation.pk), actor,
                                  item.get("value"))
            results.append({"type": action.key, "ok": True, "did": done})
        except (ActionError, ObjectDoesNotExist) as exc:  # e.g. its team was deleted
            results.append({"type": action.key, "ok": False, "error": str(exc)[:300]})
    firing.results = results
    firing.save(update_fields=["results", "updated_at"])
    AutomationRule.objects.filter(pk=rule.pk).update(fire_count=F("fire_count") + 1,
                                                    last_fired_at=timezone.now())
    add_timeline_event(conversation, actor, EventKind.RULE_FIRED, rule_id=rule.pk,
                       rule=rule.name, results=results)
    return True
