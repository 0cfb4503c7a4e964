"""The registries of rule conditions and actions beyond the basics: the shopper's latest order
(read through commerce), contact attributes, segments, time since our last reply; notifying a
team (mentions) and calling an outbound webhook (signed, through the outbox, to a real HTTP
receiver on loopback)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.accounts.actions import add_member, create_team, set_team_members
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Role
from storedesk.contacts.models import Contact
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message, send_reply
from storedesk.inbox.models import Conversation, Mention
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.testing.shop import seed_order
from storedesk.webhooks.models import WebhookDelivery, WebhookSubscription
from storedesk.workflow.actions_rules import create_rule
from storedesk.workflow.models import RuleFiring
from storedesk.workflow.rules import RuleSpec

pytestmark = pytest.mark.django_db(transaction=True)


def write(inbox, sender: str, text: str = "Hello", **extra) -> Conversation:
    return receive_message(inbox, InboundMessage(sender_id=sender, text=text, **extra)
                           ).conversation


def tags_of(conversation) -> set[str]:
    return set(Conversation.objects.get(pk=conversation.pk).tags.values_list("name", flat=True))


def tagging_rule(personas, name: str, *conditions, match_all: bool = True):
    return create_rule(personas.harbor, RuleSpec(
        name=name, triggers=["message_received"], conditions=list(conditions),
        match_all=match_all, actions=[{"type": "add_tag", "value": name.lower()}]))


def test_order_status_and_total_of_the_latest_order(personas):
    # given rules on the shopper's latest order
    tagging_rule(personas, "Big", {"field": "order_total", "op": "more_than", "value": "100"})
    tagging_rule(personas, "Cancelled", {"field": "order_status", "op": "is",
                                         "value": "cancelled"})
    tagging_rule(personas, "Unfulfilled", {"field": "order_status", "op": "is",
                                           "value": "unfulfilled"})
    store = personas.harbor_store
    # an old big order and a newer small one for Ada; a cancelled one for Ben; none for Cy
    seed_order(store, number="1001", email="ada@shop.test", placed_days_ago=30,
               lines=[("TV", "Television", 1, "900.00")])
    seed_order(store, number="1002", email="ada@shop.test", placed_days_ago=2,
               lines=[("MUG", "Mug", 1, "12.00")], shipped=False)
    seed_order(store, number="1003", email="ben@shop.test", placed_days_ago=1,
               lines=[("TV", "Television", 1, "900.00")], status="cancelled")
    # when each writes in
    ada = write(personas.harbor_email, "ada@shop.test", email="ada@shop.test")
    ben = write(personas.harbor_email, "ben@shop.test", email="ben@shop.test")
    cy = write(personas.harbor_email, "cy@shop.test", email="cy@shop.test")
    # then the conditions read the latest order only
    assert tags_of(ada) == {"unfulfilled"}  # 12.00, not the older 900.00
    assert tags_of(ben) == {"big", "cancelled"}
    assert tags_of(cy) == set()


def test_contact_attributes_domain_segment_and_any(personas, settings):
    settings.STOREDESK_VIP_LIFETIME_VALUE = 500
    tagging_rule(personas, "Wholesale",
                 {"field": "email_domain", "op": "is", "value": "@Bulk-Buyer.test"},
                 {"field": "contact_attribute", "op": "is", "value": "plan = Gold"},
                 match_all=False)
    tagging_rule(personas, "Vip", {"field": "segment", "op": "is", "value": "vip"})
    seed_order(personas.harbor_store, number="2001", email="rich@shop.test",
               lines=[("SOFA", "Sofa", 1, "1500.00")])
    gold = Contact.objects.create(account=personas.harbor, email="gold@shop.test",
                                  attributes={"plan": "GOLD"})
    assert gold.pk
    bulk = write(personas.harbor_email, "x@bulk-buyer.test", email="x@bulk-buyer.test")
    golden = write(personas.harbor_email, "gold@shop.test", email="gold@shop.test")
    rich = write(personas.harbor_email, "rich@shop.test", email="rich@shop.test")
    plain = write(personas.harbor_email, "plain@shop.test", email="plain@shop.test")
    assert Conversation.objects.get(pk=golden.pk).contact_id == gold.pk
    assert tags_of(bulk) == {"wholesale"} and tags_of(golden) == {"wholesale"}
    assert tags_of(rich) == {"vip"} and tags_of(plain) == set()


def test_hours_since_our_last_reply(personas):
    create_rule(personas.harbor, RuleSpec(
        name="Slow", triggers=["message_received"],
        conditions=[{"field": "hours_since_reply", "op": "more_than", "value": 2}],
        actions=[{"type": "add_tag", "value": "slow"}]))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        conversation = write(personas.harbor_api, "r-1", "first")
        send_reply(conversation, Actor.agent(personas.ahmet), "Hi!")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        write(personas.harbor_api, "r-1", "second")
    assert tags_of(conversation) == set()
    with time_machine.travel(start + timedelta(hours=3, minutes=5), tick=False):
        write(personas.harbor_api, "r-1", "third")
    assert tags_of(conversation) == {"slow"}


@pytest.mark.parametrize(("condition", "message"), [
    ({"field": "order_status", "op": "is", "value": "lost"}, "Unknown order status."),
    ({"field": "order_total", "op": "more_than", "value": "lots"}, "An amount"),
    ({"field": "order_total", "op": "is", "value": "10"}, "Unknown comparison"),
    ({"field": "email_domain", "op": "is", "value": "not a domain"}, "A domain"),
    ({"field": "segment", "op": "is", "value": "whales"}, "Unknown customer segment."),
    ({"field": "contact_attribute", "op": "is", "value": "gold"}, "name=value"),
])
def test_bad_conditions_are_refused_on_save(personas, api, condition, message):
    answer = api(personas.olivia).post("/api/v1/rules", json.dumps({
        "name": "Bad", "triggers": ["message_received"], "conditions": [condition],
        "actions": [{"type": "add_tag", "value": "x"}]}), content_type="application/json")
    assert answer.status_code == 400 and message in answer.json()["detail"]


def test_notify_a_team_mentions_each_member_with_a_timeline_line(personas):
    # given team Poland of two agents (one deactivated member is not notified)
    kasia = add_member(personas.harbor, "kasia@harbor.test", role=Role.AGENT, name="Kasia")
    piotr = add_member(personas.harbor, "piotr@harbor.test", role=Role.AGENT, name="Piotr")
    gone = add_member(personas.harbor, "gone@harbor.test", role=Role.AGENT, name="Gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    poland = create_team(personas.harbor, "Poland")
    set_team_members(poland, [kasia, piotr, gone])
    create_rule(personas.harbor, RuleSpec(
        name="Tell Poland", triggers=["message_received"],
        conditions=[{"field": "text", "op": "contains", "value": "zamówienie"}],
        actions=[{"type": "notify_team", "value": poland.pk}]))
    # when a Polish shopper writes
    conversation = write(personas.harbor_api, "pl-1", "Gdzie jest moje zamówienie?")
    # then both active members have a mention (their Mentions view), in one note
    assert set(Mention.objects.filter(conversation=conversation)
               .values_list("membership_id", flat=True)) == {kasia.pk, piotr.pk}
    note = Event.objects.get(conversation=conversation, kind="note.added")
    assert note.actor_type == "rule" and sorted(note.data["mentions"]) == sorted(
        [kasia.pk, piotr.pk])
    fired = Event.objects.get(conversation=conversation, kind="rule.fired")
    assert fired.data["results"] == [
        {"type": "notify_team", "ok": True, "did": "notified team Poland (2)"}]


def test_a_team_or_webhook_of_another_account_is_refused(personas, api):
    theirs = create_team(personas.northwind, "Theirs")
    hook = WebhookSubscription.objects.create(account=personas.northwind,
                                              url="https://example.com/h", events=["rule.fired"])
    for action in ({"type": "notify_team", "value": theirs.pk},
                   {"type": "call_webhook", "value": hook.pk}):
        answer = api(personas.olivia).post("/api/v1/rules", json.dumps({
            "name": "Cross", "triggers": ["message_received"], "actions": [action]}),
            content_type="application/json")
        assert answer.status_code == 400, answer.content


def test_call_an_outbound_webhook_signed_once_through_the_outbox(personas, settings, api):
    settings.FETCH_ALLOW_PRIVATE = True  # the store's endpoint runs on loopback in this test
    with FakeWebhookReceiver(secret="not-yet-known", path="/hooks") as receiver:
        # given a webhook that chose no kinds of its own but the rule's calls
        made = api(personas.olivia).post("/api/v1/webhooks", {
            "url": receiver.url, "events": ["rule.webhook_called"]},
            content_type="application/json")
        assert made.status_code == 201, made.content
        receiver.set_secret(made.json()["secret"])
        hook = WebhookSubscription.objects.get(pk=made.json()["id"])
        create_rule(personas.harbor, RuleSpec(
            name="Complaints to the ERP", triggers=["message_received"],
            conditions=[{"field": "text", "op": "contains", "value": "complaint"}],
            actions=[{"type": "call_webhook", "value": hook.pk}]))
        # when a shopper complains
        conversation = write(personas.harbor_api, "c-1", "I have a complaint")
        write(personas.harbor_api, "c-2", "All good, thanks")
        # then one signed request reached the endpoint, about that conversation
        [request] = receiver.requests
        assert request.verified and request.status == 200
        body = request.json()
        assert body["event"] == "rule.webhook_called"
        assert body["conversation"]["id"] == conversation.pk
        assert body["actor"]["type"] == "rule"
    # once: the subscription's own fan-out of that kind and the rule's call are one delivery
    [delivery] = WebhookDelivery.objects.filter(subscription=hook)
    assert delivery.status == "sent"
    [firing] = RuleFiring.objects.all()
    assert firing.results == [{"type": "call_webhook", "ok": True, "did": f"webhook {hook.pk}"}]
