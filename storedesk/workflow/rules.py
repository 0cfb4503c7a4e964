"""Automation rules: typed registries of triggers, conditions and actions; validation on save;
evaluation on the worker.

A rule is `when` (trigger keys, each a set of event kinds) + `if` (conditions over the
conversation and the event, all or any) + `then` (actions through the inbox's own actions).

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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from storedesk.accounts.actor import Actor, ActorType
from storedesk.accounts.models import Membership, Team
from storedesk.core.errors import ActionError
from storedesk.core.folding import fold
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.channels import is_channel
from storedesk.inbox.models import Conversation, Message, Priority, Status
from storedesk.workflow.models import AutomationRule, Macro, RuleFiring

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
        Trigger("sla_breached", _("SLA breached"), frozenset({EventKind.SLA_BREACHED})),
        Trigger("order_event", _("Order event"), frozenset(
            k.value for k in EventKind if k.value.startswith(("order.", "return.")))),
    )
}
TRIGGER_KINDS = frozenset(k for t in TRIGGERS.values() for k in t.kinds)


# --- Conditions ----------------------------------------------------------------------------------


@dataclass
class Facts:
    """What conditions read: the conversation and the event, with lazily read extras."""

    conversation: Conversation
    event: Event
    _tags: frozenset[str] | None = None
    _text: str | None = None

    @property
    def tags(self) -> frozenset[str]:
        if self._tags is None:
            self._tags = frozenset(self.conversation.tags.values_list("name", flat=True))
        return self._tags

    @property
    def text(self) -> str:
        """The event's message, else the conversation's latest incoming message (folded)."""
        if self._text is None:
            message_id = (self.event.data or {}).get("message_id")
            qs = Message.objects.filter(conversation=self.conversation)
            message = (qs.filter(pk=message_id).first() if message_id else None) or (
                qs.filter(direction="incoming").order_by("-created_at", "-pk").first())
            self._text = message.search_text if message else ""
        return self._text


@dataclass(frozen=True)
class Condition:
    key: str
    label: Any
    ops: tuple[str, ...]
    read: Callable[[Facts], Any]
    clean: Callable[[int, Any], Any]  # (account id, raw value) -> stored value, or ActionError
    test: Callable[[Any, str, Any], bool] = field(
        default=lambda actual, op, value: (actual == value) == (op == "is"))


def _choice(allowed: Callable[[str], bool], message: str) -> Callable[[int, Any], Any]:
    def clean(account_id: int, raw: Any) -> Any:
        value = str(raw or "").strip().lower()
        if not allowed(value):
            raise ActionError(message)
        return value
    return clean


def _words(account_id: int, raw: Any) -> list[str]:
    words = [fold(w.strip()) for w in str(raw or "").split(",") if w.strip()]
    if not words or len(words) > 50 or any(len(w) > 200 for w in words):
        raise ActionError(gettext_noop("List 1 to 50 words or phrases, separated by commas."))
    return words


def _code(account_id: int, raw: Any) -> str:
    value = str(raw or "").strip().lower()
    if not value or len(value) > 64:
        raise ActionError(gettext_noop("A value of 1-64 characters is needed."))
    return value


def _hours(account_id: int, raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("A number of hours is needed.")) from exc
    if not 0 <= value <= 24 * 366:
        raise ActionError(gettext_noop("A number of hours is needed."))
    return value


def _since_last_incoming(f: Facts) -> float:
    last = f.conversation.last_incoming_at
    return (timezone.now() - last).total_seconds() / 3600 if last else 0.0


CONDITIONS: dict[str, Condition] = {
    c.key: c for c in (
        Condition("channel", _("Channel"), ("is", "is_not"), lambda f: f.conversation.inbox.channel,
                  _choice(is_channel, gettext_noop("Unknown channel."))),
        Condition("language", _("Language"), ("is", "is_not"),
                  lambda f: f.conversation.language.split("-")[0], _code),
        Condition("intent", _("Intent"), ("is", "is_not"), lambda f: f.conversation.intent,
                  _code),
        Condition("priority", _("Priority"), ("is", "is_not"), lambda f: f.conversation.priority,
                  _choice(lambda v: v in Priority.values, gettext_noop("Unknown priority."))),
        Condition("status", _("Status"), ("is", "is_not"), lambda f: f.conversation.status,
                  _choice(lambda v: v in Status.values, gettext_noop("Unknown status."))),
        Condition("tag", _("Tag"), ("has", "has_not"), lambda f: f.tags, _code,
                  lambda tags, op, value: (value in tags) == (op == "has")),
        Condition("text", _("Message text"), ("contains", "not_contains"), lambda f: f.text,
                  _words,
                  lambda text, op, words: any(w in text for w in words) == (op == "contains")),
        Condition("contact_email", _("Contact email"), ("contains", "not_contains"),
                  lambda f: f.conversation.contact.email.lower(), _code,
                  lambda email, op, value: (value in email) == (op == "contains")),
        Condition("hours_since_customer", _("Hours since the customer wrote"),
                  ("more_than", "less_than"), _since_last_incoming, _hours,
                  lambda hours, op, value: hours > value if op == "more_than" else hours < value),
    )
}


# --- Actions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    key: str
    label: Any
    clean: Callable[[int, Any], Any]
    run: Callable[[Conversation, Actor, Any], str]  # returns what it did (for the firing)


def _team(account_id: int, raw: Any) -> int:
    try:
        team_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("Unknown team.")) from exc
    if not Team.objects.filter(account_id=account_id, pk=team_id).exists():
        raise ActionError(gettext_noop("Unknown team."))
    return team_id


def _member(account_id: int, raw: Any) -> int:
    try:
        member_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("Unknown agent.")) from exc
    if not Membership.objects.filter(account_id=account_id, pk=member_id,
                                     is_active=True).exists():
        raise ActionError(gettext_noop("Unknown agent."))
    return member_id


def _macro(account_id: int, raw: Any) -> int:
    try:
        macro_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("Unknown macro.")) from exc
    if not Macro.objects.filter(account_id=account_id, pk=macro_id).exists():
        raise ActionError(gettext_noop("Unknown macro."))
    return macro_id


def _text(account_id: int, raw: Any) -> str:
    value = str(raw or "").strip()
    if not value or len(value) > 5000:
        raise ActionError(gettext_noop("A text of 1-5000 characters is needed."))
    return value


def _tag_name(account_id: int, raw: Any) -> str:
    from storedesk.inbox.actions import TAG_RE

    value = str(raw or "").strip().lower()
    if not TAG_RE.match(value):
        raise ActionError(gettext_noop("A tag is 1-64 letters, digits, spaces or . : / - _"))
    return value


def _run_assign_team(c: Conversation, actor: Actor, team_id: int) -> str:
    from storedesk.inbox.actions import assign

    team = Team.objects.get(pk=team_id, account_id=c.account_id)
    assign(c, actor, assignee=c.assignee, team=team, set_team=True)
    return f"team {team.name}"


def _run_assign_agent(c: Conversation, actor: Actor, member_id: int) -> str:
    from storedesk.inbox.actions import assign

    member = Membership.objects.get(pk=member_id, account_id=c.account_id)
    assign(c, actor, assignee=member)
    return f"agent {member_id}"


def _run_status(c: Conversation, actor: Actor, status: str) -> str:
    from storedesk.inbox.actions import change_status

    current = Conversation.objects.values_list("status", flat=True).get(pk=c.pk)
    if current != status:
        change_status(c, actor, status)
    return f"status {status}"


def _run_snooze(c: Conversation, actor: Actor, hours: int) -> str:
    from storedesk.inbox.actions import change_status

    change_status(c, actor, Status.SNOOZED,
                  snoozed_until=timezone.now() + timedelta(hours=max(hours, 1)))
    return f"snoozed {hours} h"


def _run_priority(c: Conversation, actor: Actor, priority: str) -> str:
    from storedesk.inbox.actions import set_priority

    set_priority(c, actor, priority)
    return f"priority {priority}"


def _run_tag(c: Conversation, actor: Actor, name: str) -> str:
    from storedesk.inbox.actions import tag

    tag(c, actor, name)
    return f"tag {name}"


def _run_untag(c: Conversation, actor: Actor, name: str) -> str:
    from storedesk.inbox.actions import untag

    untag(c, actor, name)
    return f"untag {name}"


def _run_note(c: Conversation, actor: Actor, text: str) -> str:
    from storedesk.inbox.actions import add_note

    add_note(c, actor, text)
    return "note"


def _run_macro_reply(c: Conversation, actor: Actor, macro_id: int) -> str:
    from storedesk.inbox.actions import send_reply
    from storedesk.workflow.actions import apply_macro
    from storedesk.workflow.macros import render_macro

    macro = Macro.objects.get(pk=macro_id, account_id=c.account_id)
    conversation = Conversation.objects.select_related("contact", "inbox", "store",
                                                       "account").get(pk=c.pk)
    send_reply(conversation, actor, render_macro(macro, conversation, None))
    apply_macro(conversation, actor, macro)
    return f"macro {macro.name}"


ACTIONS: dict[str, Action] = {
    a.key: a for a in (
        Action("assign_team", _("Assign to team"), _team, _run_assign_team),
        Action("assign_agent", _("Assign to agent"), _member, _run_assign_agent),
        Action("set_status", _("Set status"), _choice(
            lambda v: v in (Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED),
            gettext_noop("Unknown status.")), _run_status),
        Action("snooze", _("Snooze for hours"), _hours, _run_snooze),
        Action("set_priority", _("Set priority"), _choice(
            lambda v: v in Priority.values, gettext_noop("Unknown priority.")), _run_priority),
        Action("add_tag", _("Add tag"), _tag_name, _run_tag),
        Action("remove_tag", _("Remove tag"), _tag_name, _run_untag),
        Action("add_note", _("Add a private note"), _text, _run_note),
        Action("send_macro", _("Reply with a macro"), _macro, _run_macro_reply),
    )
}


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
            "is_active": bool(spec.is_active)}


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
    results = (
        CONDITIONS[c["field"]].test(CONDITIONS[c["field"]].read(facts), c["op"], c["value"])
        for c in rule.conditions if c.get("field") in CONDITIONS
    )
    if not rule.conditions:
        return True
    return all(results) if rule.match_all else any(results)


def evaluate(event_id: int) -> list[int]:
    """Run the account's matching rules on one event; the ids of the rules that fired."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None or event.kind not in TRIGGER_KINDS:
        return []
    depth = rule_depth(event)
    if depth is None or depth >= MAX_DEPTH:
        return []
    triggers = [key for key, t in TRIGGERS.items() if event.kind in t.kinds]
    rules = [
        r for r in AutomationRule.objects.filter(account_id=event.account_id, is_active=True)
        .order_by("position", "pk")
        if set(r.triggers) & set(triggers)
    ]
    fired = []
    for rule in rules:
        if _fire(rule, event):
            fired.append(rule.pk)
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
        except (ActionError, Team.DoesNotExist, Membership.DoesNotExist,
                Macro.DoesNotExist) as exc:
            results.append({"type": action.key, "ok": False, "error": str(exc)[:300]})
    firing.results = results
    firing.save(update_fields=["results", "updated_at"])
    AutomationRule.objects.filter(pk=rule.pk).update(fire_count=F("fire_count") + 1,
                                                    last_fired_at=timezone.now())
    add_timeline_event(conversation, actor, EventKind.RULE_FIRED, rule_id=rule.pk,
                       rule=rule.name, results=results)
    return True
