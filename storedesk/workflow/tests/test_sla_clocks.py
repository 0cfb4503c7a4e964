"""SLA clocks as a store's team lives them, on a frozen clock (time-machine): business hours,
holidays, time zones, pauses while waiting on the customer, breaches once, the API's `sla`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from storedesk.accounts.actor import Actor
from storedesk.events.models import Event
from storedesk.inbox.actions import (
    InboundMessage,
    change_status,
    receive_message,
    send_reply,
    set_priority,
)
from storedesk.workflow import actions_sla
from storedesk.workflow.models import SlaBreach, SlaClock, SlaPolicy
from storedesk.workflow.tasks import mark_sla_breaches

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


def clock_of(conversation) -> SlaClock:
    return SlaClock.objects.select_related("policy").get(conversation=conversation)


def test_a_chat_opened_on_monday_morning_is_due_within_the_hour(harbor, api):
    # given Harbor's defaults (chat: first response within 1 business hour, Mon-Fri 9-17)
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        conversation = write(harbor.harbor_chat, "visitor-1")
    # then the clock runs with the chat policy
    clock = clock_of(conversation)
    assert clock.policy.name == "Chat: first response within 1 hour"
    assert clock.first_response_due_at == at(2026, 11, 30, 11, 0)
    # and the API carries it
    body = api(harbor.olivia).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert body["sla"] == {
        "policy": "Chat: first response within 1 hour",
        "first_response_due_at": "2026-11-30T10:00:00Z",
        "next_response_due_at": None,
        "resolution_due_at": None,
        "breached": [],
    }
    # when Ahmet answers at 10:40, the target is met: no breach, ever
    with time_machine.travel(at(2026, 11, 30, 10, 40), tick=False):
        send_reply(conversation, Actor.agent(harbor.ahmet), "On its way!")
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):
        assert mark_sla_breaches.call_local() == 0
    assert clock_of(conversation).first_response_at == at(2026, 11, 30, 10, 40)
    assert not SlaBreach.objects.filter(conversation=conversation).exists()


def test_friday_afternoon_chat_breaches_on_monday_morning_once(harbor, api):
    # given a chat opened on Friday at 16:30 (30 business minutes left that day)
    with time_machine.travel(at(2026, 11, 27, 16, 30), tick=False):
        conversation = write(harbor.harbor_chat, "visitor-2")
    assert clock_of(conversation).first_response_due_at == at(2026, 11, 30, 9, 30)
    # when the sweep runs over the weekend nothing is breached
    with time_machine.travel(at(2026, 11, 29, 23, 0), tick=False):
        assert mark_sla_breaches.call_local() == 0
    # and on Monday at 09:31 the first response is breached, once
    with time_machine.travel(at(2026, 11, 30, 9, 31), tick=False):
        assert mark_sla_breaches.call_local() == 1
        assert mark_sla_breaches.call_local() == 0
    [breach] = SlaBreach.objects.filter(conversation=conversation)
    assert (breach.target, breach.due_at, breach.met_at) == (
        "first_response", at(2026, 11, 30, 9, 30), None)
    [event] = Event.objects.filter(conversation=conversation, kind="sla.breached")
    assert event.data["target"] == "first_response"
    assert event.actor_type == "system"
    body = api(harbor.olivia).get("/api/v1/conversations").json()["items"]
    assert body[0]["sla"]["breached"] == ["first_response"]
    # when the late answer comes, the breach learns when it was met
    with time_machine.travel(at(2026, 11, 30, 9, 45), tick=False):
        send_reply(conversation, Actor.agent(harbor.ahmet), "Sorry for the wait")
    breach.refresh_from_db()
    assert breach.met_at == at(2026, 11, 30, 9, 45)
    assert Event.objects.filter(conversation=conversation, kind="sla.breached").count() == 1


def test_a_holiday_moves_the_due_time(harbor):
    actions_sla.set_business_hours(
        harbor.harbor, zone="Europe/Warsaw",
        weekly={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        holidays=["2026-12-24", "2026-12-25"])
    with time_machine.travel(at(2026, 12, 23, 16, 30), tick=False):
        conversation = write(harbor.harbor_chat, "visitor-3")
    assert clock_of(conversation).first_response_due_at == at(2026, 12, 28, 9, 30)


def test_a_team_in_another_time_zone_works_its_own_hours(harbor):
    # given the Returns team works 9-17 in Istanbul (an hour ahead of Warsaw in winter)
    actions_sla.set_business_hours(
        harbor.harbor, zone="Europe/Istanbul", team=harbor.returns,
        weekly={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        holidays=[])
    harbor.harbor_chat.team = harbor.returns
    harbor.harbor_chat.save(update_fields=["team"])
    # when a chat comes in at 16:30 Warsaw time (17:30 in Istanbul: closed)
    with time_machine.travel(at(2026, 12, 1, 16, 30), tick=False):
        conversation = write(harbor.harbor_chat, "visitor-4")
    # then the hour runs from 09:00 Istanbul the next morning (07:00 Warsaw) to 10:00 there
    due = clock_of(conversation).first_response_due_at
    assert due == datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Istanbul"))


def test_clocks_across_the_autumn_dst_change_count_real_minutes(harbor):
    # given a 24/7 policy in Warsaw with a 3-hour resolution target
    actions_sla.create_sla_policy(harbor.harbor, actions_sla.PolicySpec(
        name="Around the clock", position=1, resolution_minutes=180, business_hours=False))
    # when a conversation opens at 01:30 CEST on the night clocks fall back (25 Oct 2026)
    with time_machine.travel(at(2026, 10, 25, 1, 30), tick=False):
        conversation = write(harbor.harbor_api, "api-1")
    # then it is due three real hours later: 03:30 by the clock, with an hour repeated between
    assert clock_of(conversation).resolution_due_at == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    assert clock_of(conversation).resolution_due_at.astimezone(WARSAW).hour == 3


def test_waiting_on_the_customer_pauses_every_clock(harbor, api):
    # given a policy with all three targets around the clock
    actions_sla.create_sla_policy(harbor.harbor, actions_sla.PolicySpec(
        name="API promises", position=1, channels=["api"], first_response_minutes=30,
        next_response_minutes=60, resolution_minutes=240, business_hours=False))
    olivia = Actor.agent(harbor.olivia)
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        conversation = write(harbor.harbor_api, "api-2")
    clock = clock_of(conversation)
    assert clock.resolution_due_at == at(2026, 12, 1, 14, 0)
    # when Olivia answers at 10:10 and sets it pending (waiting on the customer)
    with time_machine.travel(at(2026, 12, 1, 10, 10), tick=False):
        send_reply(conversation, olivia, "Can you send a photo?")
        change_status(conversation, olivia, "pending")
    clock = clock_of(conversation)
    assert clock.paused_at == at(2026, 12, 1, 10, 10)
    assert clock.resolution_due_at is None
    # and the sweep, long after the old due time, breaches nothing while paused
    with time_machine.travel(at(2026, 12, 1, 15, 0), tick=False):
        assert mark_sla_breaches.call_local() == 0
    # when the shopper answers at 12:10 (two hours later) the conversation reopens
    with time_machine.travel(at(2026, 12, 1, 12, 10), tick=False):
        write(harbor.harbor_api, "api-2", "Here it is")
    clock = clock_of(conversation)
    # then resolution is due two hours later than before, and the next answer within the hour
    assert clock.paused_at is None
    assert clock.resolution_due_at == at(2026, 12, 1, 16, 0)
    assert clock.next_response_due_at == at(2026, 12, 1, 13, 10)
    sla = api(harbor.olivia).get(f"/api/v1/conversations/{conversation.pk}").json()["sla"]
    assert sla["next_response_due_at"] == "2026-12-01T12:10:00Z"
    # when nobody answers, the next response breaches at 13:10, and resolution at 16:00
    with time_machine.travel(at(2026, 12, 1, 13, 11), tick=False):
        assert mark_sla_breaches.call_local() == 1
    with time_machine.travel(at(2026, 12, 1, 16, 1), tick=False):
        assert mark_sla_breaches.call_local() == 1
    assert list(SlaBreach.objects.filter(conversation=conversation).order_by("due_at")
                .values_list("target", flat=True)) == ["next_response", "resolution"]
    # and resolving it stops the clocks; the breach history stays
    with time_machine.travel(at(2026, 12, 1, 17, 0), tick=False):
        change_status(conversation, olivia, "resolved")
    clock = clock_of(conversation)
    assert clock.resolution_at == at(2026, 12, 1, 17, 0)
    assert (clock.first_response_due_at, clock.next_response_due_at, clock.resolution_due_at) \
        == (None, None, None)
    assert SlaBreach.objects.get(target="resolution", conversation=conversation).met_at == at(
        2026, 12, 1, 17, 0)


def test_conditions_pick_the_policy_and_a_priority_change_retargets(harbor):
    actions_sla.create_sla_policy(harbor.harbor, actions_sla.PolicySpec(
        name="Urgent chats", position=1, channels=["webchat"], priorities=["urgent"],
        first_response_minutes=10, business_hours=False))
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        conversation = write(harbor.harbor_chat, "visitor-5")
        assert clock_of(conversation).policy.name == "Chat: first response within 1 hour"
    with time_machine.travel(at(2026, 12, 1, 10, 2), tick=False):
        set_priority(conversation, Actor.agent(harbor.olivia), "urgent")
    clock = clock_of(conversation)
    assert clock.policy.name == "Urgent chats"
    assert clock.first_response_due_at == at(2026, 12, 1, 10, 10)


def test_no_policy_means_null_sla(harbor, api):
    SlaPolicy.objects.filter(account=harbor.harbor).delete()
    conversation = write(harbor.harbor_api, "api-3")
    assert api(harbor.olivia).get(
        f"/api/v1/conversations/{conversation.pk}").json()["sla"] is None


def test_the_list_resolves_sla_for_a_page_in_fixed_queries(harbor, api,
                                                            django_assert_max_num_queries):
    client = api(harbor.olivia)
    write(harbor.harbor_chat, "v-a")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/conversations").json()["items"]) == 1
    for n in range(6):
        write(harbor.harbor_chat, f"v-b{n}")
    with CaptureQueriesContext(connection) as seven:
        items = client.get("/api/v1/conversations").json()["items"]
    assert len(items) == 7 and all(i["sla"]["policy"] for i in items)
    # (the first request also touched the token: at most as many, never more)
    assert len(seven.captured_queries) <= len(one.captured_queries)


def test_policies_api_validates_and_belongs_to_the_account(harbor, api):
    olivia, ahmet, bruno = api(harbor.olivia), api(harbor.ahmet), api(harbor.bruno)
    listed = olivia.get("/api/v1/sla/policies").json()
    assert [p["name"] for p in listed] == ["Chat: first response within 1 hour",
                                           "Email: first response within 24 hours"]
    chat = listed[0]
    # an agent reads but does not write
    body = {"name": "Mine", "first_response_minutes": 5}
    assert ahmet.post("/api/v1/sla/policies", json.dumps(body),
                      content_type="application/json").status_code == 403
    # bad conditions are refused on save
    for bad in ({"name": "x"}, {"name": "x", "first_response_minutes": 5, "channels": ["fax"]},
                {"name": "x", "first_response_minutes": 5, "segments": ["whales"]},
                {"name": "x", "first_response_minutes": 5, "priorities": ["asap"]},
                {"name": "x", "first_response_minutes": 5, "store_ids": [999999]}):
        response = olivia.post("/api/v1/sla/policies", json.dumps(bad),
                               content_type="application/json")
        assert response.status_code == 400, bad
    created = olivia.post("/api/v1/sla/policies", json.dumps(
        {"name": "Email VIP", "channels": ["email"], "tags": ["VIP"],
         "first_response_minutes": 30, "position": 5}), content_type="application/json")
    assert created.status_code == 201 and created.json()["tags"] == ["vip"]
    updated = olivia.put(f"/api/v1/sla/policies/{chat['id']}", json.dumps(
        {"name": chat["name"], "channels": ["webchat"], "first_response_minutes": 45}),
        content_type="application/json")
    assert updated.status_code == 200 and updated.json()["first_response_minutes"] == 45
    # Bruno sees none of it
    assert bruno.get(f"/api/v1/sla/policies/{chat['id']}").status_code == 404
    assert "Email VIP" not in bruno.get("/api/v1/sla/policies").content.decode()
    assert olivia.delete(f"/api/v1/sla/policies/{chat['id']}").status_code == 204


def test_the_sweep_and_handlers_record_a_breach_once_under_repeats(harbor):
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        conversation = write(harbor.harbor_chat, "visitor-6")
    clock = clock_of(conversation)
    from storedesk.workflow import sla

    later = at(2026, 12, 1, 12, 0)
    assert sla.mark_breaches(clock.pk, later) == 1
    assert sla.mark_breaches(clock.pk, later) == 0
    assert sla.overdue_clock_ids(later + timedelta(days=1)) == []
    assert SlaBreach.objects.filter(conversation=conversation).count() == 1
