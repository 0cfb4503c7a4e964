"""Automation rules: validated on save, evaluated on events (in immediate mode and by real
worker processes, on SQLite and PostgreSQL), loops impossible, every firing on the timeline."""

from __future__ import annotations

import json

import pytest

from storedesk.accounts.actions import create_team
from storedesk.accounts.actor import Actor
from storedesk.events import record
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message
from storedesk.inbox.models import Conversation
from storedesk.testing.queue_workers import wait_for
from storedesk.workflow import rules
from storedesk.workflow.actions_rules import create_rule
from storedesk.workflow.models import AutomationRule, RuleFiring
from storedesk.workflow.rules import RuleSpec

pytestmark = pytest.mark.django_db(transaction=True)


def write(inbox, sender: str, text: str = "Gdzie jest moje zamówienie?", **extra):
    return receive_message(inbox, InboundMessage(sender_id=sender, text=text, **extra)
                           ).conversation


def polish_rule(personas, team):
    return create_rule(personas.harbor, RuleSpec(
        name="Polish conversations -> team Poland",
        triggers=["conversation_created", "language_detected"],
        conditions=[{"field": "language", "op": "is", "value": "pl"}],
        actions=[{"type": "assign_team", "value": team.pk}]))


def test_polish_conversations_go_to_team_poland(personas, api):
    # given team Poland and the rule, created through the API
    poland = create_team(personas.harbor, "Poland")
    response = api(personas.olivia).post("/api/v1/rules", json.dumps({
        "name": "Polish conversations -> team Poland",
        "triggers": ["conversation_created", "language_detected"],
        "conditions": [{"field": "language", "op": "is", "value": "pl"}],
        "actions": [{"type": "assign_team", "value": poland.pk}]}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    # when a Polish and an English conversation arrive
    polish = write(personas.harbor_chat, "pl-1", metadata={"language": "pl"})
    english = write(personas.harbor_chat, "en-1", "Where is my order?",
                    metadata={"language": "en"})
    # then only the Polish one is on team Poland, and the firing is on its timeline, once
    assert Conversation.objects.get(pk=polish.pk).team_id == poland.pk
    assert Conversation.objects.get(pk=english.pk).team_id is None
    [fired] = Event.objects.filter(conversation=polish, kind="rule.fired")
    assert fired.actor_type == "rule" and fired.data["rule"].startswith("Polish")
    assert fired.data["results"] == [{"type": "assign_team", "ok": True, "did": "team Poland"}]
    moved = Event.objects.get(conversation=polish, kind="conversation.assigned")
    assert moved.actor_type == "rule" and moved.cause_id is not None
    assert api(personas.olivia).get("/api/v1/rules").json()[0]["fire_count"] == 1


def test_a_rule_that_would_trigger_itself_runs_once(personas):
    # given a rule that reacts to status changes by changing the status (and tagging)
    rule = create_rule(personas.harbor, RuleSpec(
        name="Bounce", triggers=["status_changed", "message_received"],
        actions=[{"type": "set_status", "value": "pending"},
                 {"type": "add_tag", "value": "bounced"}]))
    # and another that moves it back: together they would ping-pong forever
    other = create_rule(personas.harbor, RuleSpec(
        name="Back", triggers=["status_changed"],
        conditions=[{"field": "status", "op": "is", "value": "pending"}],
        actions=[{"type": "set_status", "value": "open"}]))
    # when a shopper writes (message_received)
    conversation = write(personas.harbor_api, "loop-1", "hello")
    # then "Bounce" ran once on that message; its own status change triggered nothing
    assert RuleFiring.objects.filter(rule=rule).count() == 1
    assert RuleFiring.objects.filter(rule=other).count() == 0
    assert Conversation.objects.get(pk=conversation.pk).status == "pending"
    assert Event.objects.filter(conversation=conversation, kind="rule.fired").count() == 1
    # when an agent reopens it, each rule reacts to that one human change once (in order:
    # "Bounce" sets it pending, then "Back" sees it pending and opens it) and no further:
    # neither reacts to the other's change
    change_status(conversation, Actor.agent(personas.olivia), "open")
    assert RuleFiring.objects.filter(rule=rule).count() == 2
    assert RuleFiring.objects.filter(rule=other).count() == 1
    assert Event.objects.filter(conversation=conversation, kind="rule.fired").count() == 3
    assert Conversation.objects.get(pk=conversation.pk).status == "open"
    # and running the subscriber again on the same event fires nothing new
    event = Event.objects.filter(conversation=conversation,
                                 kind="conversation.status_changed",
                                 actor_type="agent").get()
    assert rules.evaluate(event.pk) == []
    assert RuleFiring.objects.filter(rule=rule).count() == 2


def test_depth_is_bounded_through_other_subscribers(personas):
    create_rule(personas.harbor, RuleSpec(
        name="Tagger", triggers=["message_received"],
        actions=[{"type": "add_tag", "value": "seen"}]))
    conversation = write(personas.harbor_api, "deep-1", "hello")
    # a chain: rule event -> bot event -> rule event -> bot event -> ... -> a new message
    cause = None
    for actor in ("rule", "bot", "rule", "bot", "rule", "bot"):
        row = record("note.added", Actor(actor, cause_event_id=cause),
                     account_id=personas.harbor.pk, conversation_id=conversation.pk)
        cause = row.pk
    deep = record("message.received", Actor("contact", cause_event_id=cause),
                  account_id=personas.harbor.pk, conversation_id=conversation.pk)
    # (recorded outside a transaction: the subscribers already ran on it)
    assert rules.rule_depth(deep) == 3
    assert not RuleFiring.objects.filter(event=deep).exists()
    assert rules.evaluate(deep.pk) == []
    shallow = record("message.received", Actor("contact"), account_id=personas.harbor.pk,
                     conversation_id=conversation.pk)
    assert RuleFiring.objects.filter(event=shallow).count() == 1


def test_conditions_and_actions_are_validated_on_save(personas, api):
    olivia = api(personas.olivia)
    northwind_team = create_team(personas.northwind, "Theirs")
    base = {"name": "R", "triggers": ["message_received"],
            "actions": [{"type": "add_tag", "value": "x"}]}
    for bad in (
        {**base, "triggers": ["full_moon"]},
        {**base, "conditions": [{"field": "horoscope", "op": "is", "value": "leo"}]},
        {**base, "conditions": [{"field": "language", "op": "contains", "value": "pl"}]},
        {**base, "conditions": [{"field": "channel", "op": "is", "value": "fax"}]},
        {**base, "actions": [{"type": "launch_rocket", "value": 1}]},
        {**base, "actions": [{"type": "assign_team", "value": northwind_team.pk}]},
        {**base, "actions": [{"type": "set_status", "value": "snoozed"}]},
    ):
        response = olivia.post("/api/v1/rules", json.dumps(bad),
                               content_type="application/json")
        assert response.status_code == 400, (bad, response.content)
    assert not AutomationRule.objects.exists()
    assert api(personas.ahmet).post("/api/v1/rules", json.dumps(base),
                                    content_type="application/json").status_code == 403
    created = olivia.post("/api/v1/rules", json.dumps(base), content_type="application/json")
    assert created.status_code == 201
    assert api(personas.bruno).get(f"/api/v1/rules/{created.json()['id']}").status_code == 404


def test_text_tag_and_sla_triggers(personas):
    create_rule(personas.harbor, RuleSpec(
        name="Angry", triggers=["message_received"],
        conditions=[{"field": "text", "op": "contains", "value": "refund, zwrot pieniędzy"}],
        actions=[{"type": "set_priority", "value": "high"},
                 {"type": "add_note", "value": "Refund request: check the order."}]))
    calm = write(personas.harbor_api, "t-1", "Thanks!")
    angry = write(personas.harbor_api, "t-2", "Chcę ZWROT PIENIEDZY teraz")
    assert Conversation.objects.get(pk=calm.pk).priority == "normal"
    assert Conversation.objects.get(pk=angry.pk).priority == "high"
    assert angry.messages.filter(private=True, text__startswith="Refund request").count() == 1


def test_rules_run_on_a_real_worker(personas, start_worker):
    # given the Polish rule and a worker process consuming the real queue
    poland = create_team(personas.harbor, "Poland")
    polish_rule(personas, poland)
    start_worker("rules")
    # when a Polish conversation arrives
    conversation = write(personas.harbor_chat, "w-1", metadata={"language": "pl"})
    # then the worker applies the rule (and records it once)
    wait_for(lambda: Event.objects.filter(conversation=conversation, kind="rule.fired").exists(),
             "the rule to fire on the worker")
    assert Conversation.objects.get(pk=conversation.pk).team_id == poland.pk
    assert RuleFiring.objects.filter(conversation=conversation).count() == 1
