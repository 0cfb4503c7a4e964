"""Escalation plans: a breach starts the plan, its steps fire in order and each exactly once
(even when sweeps repeat), and resolving the conversation stops what is left."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from storedesk.accounts.actions import create_team
from storedesk.accounts.actor import Actor
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message, tag
from storedesk.inbox.models import Conversation
from storedesk.workflow import escalation
from storedesk.workflow.models import (
    Escalation,
    EscalationPlan,
    EscalationStepRun,
    EscalationTrigger,
)
from storedesk.workflow.tasks import mark_sla_breaches, run_escalations

WARSAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db(transaction=True)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def plan_for(personas, team, trigger=EscalationTrigger.SLA_BREACHED, value=""):
    return EscalationPlan.objects.create(
        account=personas.harbor, name="Breach plan", trigger=trigger, trigger_value=value,
        steps=escalation.clean_steps(personas.harbor.pk, [
            {"after_minutes": 0, "type": "add_note", "value": "Lead: this one is late."},
            {"after_minutes": 30, "type": "assign_team", "value": team.pk},
            {"after_minutes": 60, "type": "set_priority", "value": "urgent"},
        ]))


def test_a_breach_escalates_step_by_step_exactly_once(personas):
    escalations = create_team(personas.harbor, "Escalations")
    plan_for(personas, escalations)
    # given a chat opened on Monday 10:00 (first response due 11:00)
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        conversation = receive_message(personas.harbor_chat, InboundMessage(
            sender_id="late-1", text="Hello?")).conversation
    # when the sweep marks the breach at 11:01, the plan starts and its first step runs
    with time_machine.travel(at(2026, 11, 30, 11, 1), tick=False):
        mark_sla_breaches.call_local()
        run_escalations.call_local()
        run_escalations.call_local()
    [running] = Escalation.objects.filter(conversation=conversation)
    assert running.next_step == 1
    assert conversation.messages.filter(private=True, text="Lead: this one is late.").count() == 1
    # then nothing more until 30 minutes after the start, however often the sweep runs
    with time_machine.travel(at(2026, 11, 30, 11, 20), tick=False):
        assert run_escalations.call_local() == 0
    with time_machine.travel(at(2026, 11, 30, 11, 32), tick=False):
        assert run_escalations.call_local() == 1
        assert run_escalations.call_local() == 0
    assert Conversation.objects.get(pk=conversation.pk).team_id == escalations.pk
    # a late sweep runs what is due, in order, still once each
    with time_machine.travel(at(2026, 11, 30, 14, 0), tick=False):
        assert run_escalations.call_local() == 1
        assert run_escalations.call_local() == 0
    assert Conversation.objects.get(pk=conversation.pk).priority == "urgent"
    runs = list(EscalationStepRun.objects.filter(escalation=running).order_by("ran_at", "step")
                .values_list("step", flat=True))
    assert runs == [0, 1, 2]
    lines = Event.objects.filter(conversation=conversation, kind="escalation.step").order_by("pk")
    assert [e.data["step"] for e in lines] == [1, 2, 3]
    assert all(e.data["ok"] for e in lines)
    running.refresh_from_db()
    assert running.finished_at is not None and running.next_due_at is None


def test_a_complaint_tag_starts_a_plan_that_resolving_stops(personas):
    team = create_team(personas.harbor, "Escalations")
    plan_for(personas, team, trigger=EscalationTrigger.TAGGED, value="complaint")
    olivia = Actor.agent(personas.olivia)
    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="angry-1", text="This is unacceptable!")).conversation
    now = datetime.now(tz=WARSAW)
    tag(conversation, olivia, "complaint")
    tag(conversation, olivia, "complaint")  # no second plan for the same tag
    assert Escalation.objects.filter(conversation=conversation).count() == 1
    # its first step (due at once) ran with the tag; the next is due in 30 minutes
    assert Escalation.objects.get(conversation=conversation).next_step == 1
    assert escalation.run_due(now + timedelta(minutes=1)) == 0
    change_status(conversation, olivia, "resolved")
    assert escalation.run_due(now + timedelta(hours=5)) == 0
    stopped = Escalation.objects.get(conversation=conversation)
    assert stopped.stopped_at is not None and stopped.next_step == 1


def test_steps_are_validated(personas):
    from storedesk.core.errors import ActionError

    for steps in ([], [{"after_minutes": 10, "type": "add_tag", "value": "x"},
                       {"after_minutes": 5, "type": "add_tag", "value": "y"}],
                  [{"after_minutes": 0, "type": "fire_everyone", "value": "x"}]):
        with pytest.raises(ActionError):
            escalation.clean_steps(personas.harbor.pk, steps)


def test_a_step_whose_team_or_macro_was_deleted_fails_alone_and_the_plan_goes_on(personas):
    """A step naming a deleted team or macro raises the model's DoesNotExist (not a
    LookupError): the step is recorded as failed, and the next steps still run, once each."""
    from storedesk.workflow.actions import create_macro, delete_macro

    team = create_team(personas.harbor, "Escalations")
    macro = create_macro(personas.harbor, name="Sorry", text="Sorry for the wait!")
    EscalationPlan.objects.create(
        account=personas.harbor, name="Tag plan", trigger=EscalationTrigger.TAGGED,
        trigger_value="vip",
        steps=escalation.clean_steps(personas.harbor.pk, [
            {"after_minutes": 10, "type": "assign_team", "value": team.pk},
            {"after_minutes": 10, "type": "send_macro", "value": macro.pk},
            {"after_minutes": 20, "type": "set_priority", "value": "urgent"},
        ]))
    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="vip-1", text="Where is my parcel?")).conversation
    tag(conversation, Actor.agent(personas.olivia), "vip")
    # given the team and the macro are deleted after the plan started
    team.delete()
    delete_macro(macro)
    # when the steps fall due, each runs once: two fail, the last one still raises the priority
    later = datetime.now(tz=WARSAW) + timedelta(minutes=30)
    assert escalation.run_due(later) == 3
    assert escalation.run_due(later) == 0
    lines = Event.objects.filter(conversation=conversation, kind="escalation.step").order_by("pk")
    assert [(e.data["step"], e.data["ok"]) for e in lines] == [(1, False), (2, False), (3, True)]
    assert "does not exist" in lines[0].data["error"]
    assert "does not exist" in lines[1].data["error"]
    conversation.refresh_from_db()
    assert conversation.priority == "urgent" and conversation.team_id is None
    assert not conversation.messages.filter(direction="outgoing", private=False).exists()
    finished = Escalation.objects.get(conversation=conversation)
    assert finished.finished_at is not None and finished.next_due_at is None
