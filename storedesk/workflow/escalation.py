"""Escalation plans on the worker: start, run due steps in order (each once), stop on resolve.

A plan starts on its trigger (an `sla.breached` event, a tag added, an intent set) for a
conversation that does not run it already. Steps are rule actions (workflow.rules.ACTIONS:
assign to the escalation team, raise the priority, a private note to the lead...), each due
`after_minutes` after the start; `run_due` (a Huey task every minute, and right away for steps
due at once) takes each due escalation under its row lock, runs the next step, records it
(`EscalationStepRun`, unique per step) and writes an `escalation.step` timeline row, so a step
runs once even when two workers sweep together. Resolving or closing the conversation stops it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.models import Conversation, Status
from storedesk.workflow.models import (
    Escalation,
    EscalationPlan,
    EscalationStepRun,
    EscalationTrigger,
)
from storedesk.workflow.rules import ACTIONS

MAX_STEPS = 10
DUE_BATCH = 200


def clean_steps(account_id: int, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not raw or len(raw) > MAX_STEPS:
        raise ActionError(gettext_noop("A plan has 1 to 10 steps."))
    steps, previous = [], 0
    for item in raw:
        action = ACTIONS.get(str(item.get("type", "")))
        if action is None:
            raise ActionError(gettext_noop("Unknown action."))
        try:
            after = int(item.get("after_minutes", 0))
        except (TypeError, ValueError) as exc:
            raise ActionError(gettext_noop("Steps are in order of minutes after the start.")
                              ) from exc
        if after < previous or after > 366 * 24 * 60:
            raise ActionError(gettext_noop("Steps are in order of minutes after the start."))
        previous = after
        steps.append({"after_minutes": after, "type": action.key,
                      "value": action.clean(account_id, item.get("value"))})
    return steps


def _start(plan: EscalationPlan, conversation: Conversation, at: datetime) -> Escalation | None:
    if Escalation.objects.filter(plan=plan, conversation=conversation, finished_at=None,
                                 stopped_at=None).exists():
        return None
    try:
        with transaction.atomic():
            return Escalation.objects.create(
                account_id=plan.account_id, plan=plan, conversation=conversation,
                started_at=at, next_step=0,
                next_due_at=at + timedelta(minutes=plan.steps[0]["after_minutes"]))
    except IntegrityError:  # started by a concurrent handler
        return None


def _plans_for(event: Event) -> list[EscalationPlan]:
    plans = EscalationPlan.objects.filter(account_id=event.account_id, is_active=True)
    data = event.data or {}
    if event.kind == EventKind.SLA_BREACHED:
        return list(plans.filter(trigger=EscalationTrigger.SLA_BREACHED))
    if event.kind == EventKind.CONVERSATION_TAGGED:
        return list(plans.filter(trigger=EscalationTrigger.TAGGED,
                                 trigger_value=str(data.get("tag", ""))))
    if event.kind == EventKind.CONVERSATION_INTENT_SET and data.get("new"):
        return list(plans.filter(trigger=EscalationTrigger.INTENT,
                                 trigger_value=str(data.get("new", ""))))
    return []


@transaction.atomic
def on_event(event: Event) -> list[int]:
    """Start the plans this event triggers; stop running ones when the conversation is done.
    Returns the ids of the escalations started."""
    conversation = Conversation.objects.filter(pk=event.conversation_id or 0).first()
    if conversation is None:
        return []
    if event.kind == EventKind.CONVERSATION_STATUS_CHANGED:
        if (event.data or {}).get("new") in (Status.RESOLVED, Status.CLOSED):
            Escalation.objects.filter(conversation=conversation, finished_at=None,
                                      stopped_at=None).update(stopped_at=event.created_at,
                                                              next_due_at=None)
        return []
    started = []
    for plan in _plans_for(event):
        if plan.steps and conversation.status not in (Status.RESOLVED, Status.CLOSED):
            escalation = _start(plan, conversation, event.created_at)
            if escalation is not None:
                started.append(escalation.pk)
    return started


def due_ids(now: datetime, limit: int = DUE_BATCH) -> list[int]:
    return list(Escalation.objects.filter(next_due_at__lte=now).order_by("next_due_at", "pk")
                .values_list("pk", flat=True)[:limit])


@transaction.atomic
def run_next_step(escalation_id: int, now: datetime | None = None) -> bool:
    """Run the escalation's next step if it is due (under the row lock; once per step)."""
    from storedesk.inbox.actions import add_timeline_event

    now = now or timezone.now()
    escalation = (Escalation.objects.select_for_update(of=("self",)).select_related("plan")
                  .filter(pk=escalation_id, next_due_at__lte=now).first())
    if escalation is None:
        return False
    steps = escalation.plan.steps
    index = escalation.next_step
    if index >= len(steps):
        escalation.finished_at, escalation.next_due_at = now, None
        escalation.save(update_fields=["finished_at", "next_due_at", "updated_at"])
        return False
    step = steps[index]
    conversation = Conversation.objects.filter(pk=escalation.conversation_id).first()
    if conversation is None:  # deleted meanwhile (its escalations go with it): nothing to run
        escalation.finished_at, escalation.next_due_at = now, None
        escalation.save(update_fields=["finished_at", "next_due_at", "updated_at"])
        return False
    actor = Actor.rule()
    action = ACTIONS.get(step.get("type", ""))
    result: dict[str, Any]
    try:
        with transaction.atomic():
            if action is None:
                raise ActionError("Unknown action.")
            result = {"ok": True, "did": action.run(conversation, actor, step.get("value"))}
    # A team, agent, macro or webhook the step names was deleted (the model's DoesNotExist),
    # or a lookup by key failed: the step is recorded as failed and the plan goes on.
    except (ActionError, ObjectDoesNotExist, LookupError) as exc:
        result = {"ok": False, "error": str(exc)[:300]}
    EscalationStepRun.objects.create(escalation=escalation, step=index, ran_at=now,
                                     result=result)
    add_timeline_event(conversation, actor, EventKind.ESCALATION_STEP,
                       plan=escalation.plan.name, step=index + 1, of=len(steps),
                       type=step.get("type"), **result)
    escalation.next_step = index + 1
    if index + 1 < len(steps):
        escalation.next_due_at = escalation.started_at + timedelta(
            minutes=steps[index + 1]["after_minutes"])
    else:
        escalation.finished_at, escalation.next_due_at = now, None
    escalation.save(update_fields=["next_step", "next_due_at", "finished_at", "updated_at"])
    return True


def run_due(now: datetime | None = None) -> int:
    """Run every due step, in order (a plan's steps due together run one after another)."""
    now = now or timezone.now()
    ran = 0
    while True:
        ids = due_ids(now)
        progressed = 0
        for escalation_id in ids:
            while run_next_step(escalation_id, now):
                progressed += 1
        ran += progressed
        if len(ids) < DUE_BATCH or not progressed:
            return ran


def escalations_of(conversation: Conversation) -> list[dict[str, Any]]:
    """The plans run on a conversation, with each step's state (for the sidebar)."""
    out = []
    for escalation in (Escalation.objects.filter(conversation=conversation)
                       .select_related("plan").order_by("started_at", "pk")):
        runs = {r.step: r for r in escalation.runs.all()}
        steps = []
        for index, step in enumerate(escalation.plan.steps):
            run = runs.get(index)
            steps.append({"number": index + 1, "type": step.get("type"),
                          "label": ACTIONS[step["type"]].label if step.get("type") in ACTIONS
                          else step.get("type"),
                          "due_at": escalation.started_at + timedelta(
                              minutes=step.get("after_minutes", 0)),
                          "ran_at": run.ran_at if run else None,
                          "ok": run.result.get("ok") if run else None})
        out.append({"plan": escalation.plan.name, "started_at": escalation.started_at,
                    "finished": escalation.finished_at is not None,
                    "stopped": escalation.stopped_at is not None, "steps": steps})
    return out
