"""Timed rule triggers on a frozen clock: "SLA about to breach" (the rule's lead time, once per
target run) and "scheduled time" (daily in the account's zone, every N hours; each open
conversation at most once per tick), swept by the worker's minute task."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from storedesk.accounts.actor import Actor
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message, send_reply
from storedesk.inbox.models import Conversation
from storedesk.workflow import actions_sla
from storedesk.workflow.actions_rules import create_rule, update_rule
from storedesk.workflow.models import AutomationRule, RuleFiring, RuleTick
from storedesk.workflow.rules import RuleSpec
from storedesk.workflow.tasks import mark_sla_breaches, run_timed_rules

WARSAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db(transaction=True)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


@pytest.fixture
def harbor(personas):
    personas.harbor.timezone = "Europe/Warsaw"
    personas.harbor.save(update_fields=["timezone"])
    return personas


def write(inbox, sender: str, text: str = "Where is my order?"):
    return receive_message(inbox, InboundMessage(sender_id=sender, text=text)).conversation


def tags_of(conversation) -> set[str]:
    return set(Conversation.objects.get(pk=conversation.pk).tags.values_list("name", flat=True))


def test_about_to_breach_fires_once_per_target_within_the_lead_time(harbor):
    # given a rule that raises the priority 15 minutes before an SLA target is due
    rule = create_rule(harbor.harbor, RuleSpec(
        name="Hurry", triggers=["sla_about_to_breach"], sla_lead_minutes=15,
        actions=[{"type": "set_priority", "value": "urgent"},
                 {"type": "add_tag", "value": "due-soon"}]))
    # and a chat opened on Monday 10:00 (first response due 11:00, business hours)
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        chat = write(harbor.harbor_chat, "visitor-1")
    # when the worker sweeps at 10:44: not yet within 15 minutes
    with time_machine.travel(at(2026, 11, 30, 10, 44), tick=False):
        assert run_timed_rules.call_local() == 0
    assert RuleFiring.objects.filter(rule=rule).count() == 0
    # at 10:46 it is: the rule runs, on the timeline
    with time_machine.travel(at(2026, 11, 30, 10, 46), tick=False):
        assert run_timed_rules.call_local() == 1
    conversation = Conversation.objects.get(pk=chat.pk)
    assert conversation.priority == "urgent" and tags_of(chat) == {"due-soon"}
    warning = Event.objects.get(conversation=chat, kind="sla.about_to_breach")
    assert warning.data["rule_id"] == rule.pk and warning.data["target"] == "first_response"
    [fired] = Event.objects.filter(conversation=chat, kind="rule.fired")
    assert fired.cause_id == warning.pk and fired.actor_type == "rule"
    # and sweeping again (twice, and by a second worker) fires nothing more
    with time_machine.travel(at(2026, 11, 30, 10, 50), tick=False):
        assert run_timed_rules.call_local() == 0
        assert run_timed_rules.call_local() == 0
    assert RuleFiring.objects.filter(rule=rule).count() == 1


def test_about_to_breach_skips_answered_paused_and_already_breached_targets(harbor, api):
    create_rule(harbor.harbor, RuleSpec(
        name="Hurry", triggers=["sla_about_to_breach"], sla_lead_minutes=30,
        actions=[{"type": "add_tag", "value": "due-soon"}]))
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        answered = write(harbor.harbor_chat, "visitor-a")
        waiting = write(harbor.harbor_chat, "visitor-b")
        late = write(harbor.harbor_chat, "visitor-c")
    with time_machine.travel(at(2026, 11, 30, 10, 5), tick=False):
        send_reply(answered, Actor.agent(harbor.ahmet), "On it!")
        change_status(waiting, Actor.agent(harbor.ahmet), "pending")
    # the third breaches before any sweep looked (a worker was down)
    with time_machine.travel(at(2026, 11, 30, 11, 1), tick=False):
        mark_sla_breaches.call_local()
        assert run_timed_rules.call_local() == 0
    assert tags_of(answered) == tags_of(waiting) == tags_of(late) == set()


def test_each_run_of_a_target_warns_once_a_later_next_response_again(harbor):
    # given a 24/7 policy: first response 60 min, next response 30 min
    actions_sla.create_sla_policy(harbor.harbor, actions_sla.PolicySpec(
        name="Fast", position=1, first_response_minutes=60, next_response_minutes=30,
        business_hours=False))
    rule = create_rule(harbor.harbor, RuleSpec(
        name="Hurry", triggers=["sla_about_to_breach"], sla_lead_minutes=10,
        actions=[{"type": "add_note", "value": "Due soon"}]))
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        chat = write(harbor.harbor_api, "visitor-n")
    with time_machine.travel(at(2026, 11, 30, 10, 55), tick=False):
        assert run_timed_rules.call_local() == 1
    with time_machine.travel(at(2026, 11, 30, 10, 58), tick=False):
        send_reply(chat, Actor.agent(harbor.ahmet), "Hello!")
    # when the shopper writes again, the next-response target runs (due 12:30)
    with time_machine.travel(at(2026, 11, 30, 12, 0), tick=False):
        receive_message(harbor.harbor_api, InboundMessage(sender_id="visitor-n", text="And?"))
    with time_machine.travel(at(2026, 11, 30, 12, 21), tick=False):
        assert run_timed_rules.call_local() == 1
        assert run_timed_rules.call_local() == 0
    # then each run of a target warned once
    keys = sorted(RuleTick.objects.filter(rule=rule).values_list("key", flat=True))
    assert [k.split(":")[1] for k in keys] == ["first_response", "next_response"]
    assert RuleFiring.objects.filter(rule=rule).count() == 2


def test_a_daily_schedule_runs_each_open_conversation_once_per_tick(harbor):
    # given three conversations: two open, one resolved
    with time_machine.travel(at(2026, 11, 30, 7, 0), tick=False):
        first = write(harbor.harbor_api, "s-1")
        second = write(harbor.harbor_api, "s-2")
        done = write(harbor.harbor_api, "s-3")
        change_status(done, Actor.agent(harbor.ahmet), "resolved")
        # and a rule set at 08:00 to nudge unanswered conversations every day at 09:00 Warsaw
        rule = create_rule(harbor.harbor, RuleSpec(
            name="Morning nudge", triggers=["scheduled"], schedule_daily_at="09:00",
            conditions=[{"field": "hours_since_reply", "op": "more_than", "value": 1}],
            actions=[{"type": "add_tag", "value": "nudged"}]))
    assert AutomationRule.objects.get(pk=rule.pk).next_tick_at == at(2026, 11, 30, 9, 0)
    # when the worker sweeps before 09:00 nothing happens
    with time_machine.travel(at(2026, 11, 30, 8, 59), tick=False):
        assert run_timed_rules.call_local() == 0
    # at 09:00 both open conversations are taken once; the resolved one is not
    with time_machine.travel(at(2026, 11, 30, 9, 0, 30), tick=False):
        assert run_timed_rules.call_local() == 2
        assert run_timed_rules.call_local() == 0
    assert tags_of(first) == tags_of(second) == {"nudged"} and tags_of(done) == set()
    assert RuleFiring.objects.filter(rule=rule).count() == 2
    assert AutomationRule.objects.get(pk=rule.pk).next_tick_at == at(2026, 12, 1, 9, 0)
    # the next day's tick takes them again (each once more)
    with time_machine.travel(at(2026, 12, 1, 9, 1), tick=False):
        assert run_timed_rules.call_local() == 2
    assert RuleFiring.objects.filter(rule=rule).count() == 4
    assert set(RuleTick.objects.filter(rule=rule, conversation=first)
               .values_list("key", flat=True)) == {
        "schedule:2026-11-30T08:00:00+00:00", "schedule:2026-12-01T08:00:00+00:00"}


def test_every_n_hours_and_missed_ticks_run_once_late(harbor):
    with time_machine.travel(datetime(2026, 11, 30, 0, 30, tzinfo=UTC), tick=False):
        chat = write(harbor.harbor_api, "h-1")
        rule = create_rule(harbor.harbor, RuleSpec(
            name="Every 6 hours", triggers=["scheduled"], schedule_every_hours=6,
            actions=[{"type": "add_note", "value": "Still open"}]))
    assert rule.next_tick_at == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    # no worker ran from 06:00 to 13:00: the 06:00 tick runs once, late; 12:00 is skipped
    with time_machine.travel(datetime(2026, 11, 30, 13, 0, tzinfo=UTC), tick=False):
        assert run_timed_rules.call_local() == 1
        assert run_timed_rules.call_local() == 0
    assert AutomationRule.objects.get(pk=rule.pk).next_tick_at == datetime(
        2026, 11, 30, 18, 0, tzinfo=UTC)
    assert Event.objects.filter(conversation=chat, kind="rule.fired").count() == 1


def test_conditions_are_checked_when_the_tick_comes(harbor):
    with time_machine.travel(datetime(2026, 11, 30, 0, 30, tzinfo=UTC), tick=False):
        urgent = write(harbor.harbor_api, "c-1")
        calm = write(harbor.harbor_api, "c-2")
        create_rule(harbor.harbor, RuleSpec(
            name="Urgent check", triggers=["scheduled"], schedule_every_hours=1,
            conditions=[{"field": "priority", "op": "is", "value": "urgent"}],
            actions=[{"type": "add_tag", "value": "checked"}]))
        from storedesk.inbox.actions import set_priority
        set_priority(urgent, Actor.agent(harbor.ahmet), "urgent")
    with time_machine.travel(datetime(2026, 11, 30, 1, 0, 5, tzinfo=UTC), tick=False):
        assert run_timed_rules.call_local() == 1
    assert tags_of(urgent) == {"checked"} and tags_of(calm) == set()
    # no event was written for the conversation that did not match
    assert not Event.objects.filter(conversation=calm, kind="rule.scheduled").exists()


def test_timed_triggers_are_validated_on_save(harbor, api):
    client = api(harbor.olivia)

    def post(**body):
        payload = {"name": "Timed", "actions": [{"type": "add_tag", "value": "x"}], **body}
        return client.post("/api/v1/rules", json.dumps(payload),
                           content_type="application/json")

    assert post(triggers=["sla_about_to_breach"]).status_code == 400
    assert post(triggers=["scheduled"]).status_code == 400
    assert post(triggers=["scheduled"], schedule_every_hours=2,
                schedule_daily_at="09:00").status_code == 400
    assert post(triggers=["scheduled"], schedule_daily_at="25:99").status_code == 400
    assert post(triggers=["sla_about_to_breach"], sla_lead_minutes=0).status_code == 422
    made = post(triggers=["scheduled", "sla_about_to_breach"], schedule_daily_at="09:30",
                sla_lead_minutes=20)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["schedule_daily_at"] == "09:30" and body["sla_lead_minutes"] == 20
    assert body["next_tick_at"] is not None
    # a rule without those triggers keeps no timing (and no tick)
    rule = AutomationRule.objects.get(pk=body["id"])
    update_rule(rule, RuleSpec(name="Timed", triggers=["message_received"],
                               actions=[{"type": "add_tag", "value": "x"}],
                               schedule_daily_at="09:30", sla_lead_minutes=20))
    rule.refresh_from_db()
    assert (rule.next_tick_at, rule.sla_lead_minutes, rule.schedule_daily_at) == (None, None, None)
