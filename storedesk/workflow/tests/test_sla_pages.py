"""The SLA in the workspace (sidebar panel, timeline line) and its settings pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, change_status, receive_message
from storedesk.testing.shop import seed_order
from storedesk.workflow import sla
from storedesk.workflow.models import BusinessHours, SlaClock, SlaPolicy
from storedesk.workflow.tasks import mark_sla_breaches

WARSAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db(transaction=True)


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def write(inbox, sender: str, **extra):
    return receive_message(inbox, InboundMessage(sender_id=sender, text="Hello?", **extra)
                           ).conversation


def test_the_sla_panel_shows_time_left_then_overdue_and_the_breach(personas):
    # given a chat opened on Monday 10:00 UTC (the account works in UTC, 9-17)
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=WARSAW), tick=False):
        conversation = write(personas.harbor_chat, "visitor-p")
    olivia = client_for(personas.olivia)
    url = f"/conversations/{conversation.display_id}/"
    # when Olivia looks 20 minutes later
    with time_machine.travel(datetime(2026, 11, 30, 10, 20, tzinfo=WARSAW), tick=False):
        html = olivia.get(url).content.decode()
    # then the panel says 40 minutes left on the first response
    assert 'data-panel="sla"' in html
    assert "Chat: first response within 1 hour" in html
    assert 'data-sla-target="first_response" data-sla-state="running"' in html
    assert "40 minutes left" in html
    # when the hour passes and the sweep runs, the panel and the timeline show the breach
    with time_machine.travel(datetime(2026, 11, 30, 11, 5, tzinfo=WARSAW), tick=False):
        mark_sla_breaches.call_local()
        html = olivia.get(url).content.decode()
    assert 'data-sla-state="overdue"' in html
    assert "overdue by 5 minutes" in html
    assert 'data-sla-breach="first_response"' in html
    assert "SLA breached: First response (Chat: first response within 1 hour)" in html
    # and a pending conversation shows its clocks paused
    change_status(conversation, Actor.agent(personas.olivia), "pending")
    assert 'data-sla-state="paused"' in olivia.get(url).content.decode()


def test_no_panel_without_a_policy(personas):
    SlaPolicy.objects.filter(account=personas.harbor).delete()
    sla.ensure_defaults(personas.harbor.pk)  # already done: nothing comes back
    conversation = write(personas.harbor_api, "api-p")
    html = client_for(personas.olivia).get(f"/conversations/{conversation.display_id}/")
    assert 'data-panel="sla"' not in html.content.decode()


def test_a_vip_by_lifetime_value_gets_the_vip_policy(personas, settings):
    # given a VIP policy and a shopper whose orders add up to more than the threshold
    settings.STOREDESK_VIP_LIFETIME_VALUE = 100
    client_for(personas.olivia).post("/settings/workflow/sla/new/", {
        "name": "VIP email", "first_response_minutes": "120", "position": "1",
        "business_hours": "on", "is_active": "on", "channels": ["email"],
        "segments": ["vip"]})
    seed_order(personas.harbor_store, number="V-1", email="big@buyer.test",
               lines=[("SOFA", "Linen sofa", 1, "900.00")])
    vip = write(personas.harbor_email, "big@buyer.test", email="big@buyer.test")
    plain = write(personas.harbor_email, "small@buyer.test", email="small@buyer.test")
    assert SlaClock.objects.get(conversation=vip).policy.name == "VIP email"
    assert SlaClock.objects.get(conversation=plain).policy.name == (
        "Email: first response within 24 hours")


def test_an_admin_creates_and_edits_a_policy_validated_on_save(personas):
    olivia = client_for(personas.olivia)
    assert olivia.get("/settings/workflow/sla/").status_code == 200
    # a policy without any target is refused, with the reason shown
    refused = olivia.post("/settings/workflow/sla/new/", {"name": "Empty", "position": "5"})
    assert refused.status_code == 400
    assert "at least one target" in refused.content.decode()
    created = olivia.post("/settings/workflow/sla/new/", {
        "name": "Urgent", "first_response_minutes": "15", "position": "1",
        "priorities": ["urgent"], "tags": "Refund, complaint", "is_active": "on"})
    assert created.status_code == 302
    policy = SlaPolicy.objects.get(account=personas.harbor, name="Urgent")
    assert (policy.priorities, policy.tags, policy.business_hours) == (
        ["urgent"], ["refund", "complaint"], False)
    edited = olivia.post(f"/settings/workflow/sla/{policy.pk}/", {
        "name": "Urgent", "first_response_minutes": "10", "position": "1",
        "business_hours": "on", "is_active": "on"})
    assert edited.status_code == 302
    policy.refresh_from_db()
    assert (policy.first_response_minutes, policy.business_hours) == (10, True)
    # Ahmet (agent) and Bruno (other account) get 404s
    assert client_for(personas.ahmet).get("/settings/workflow/sla/").status_code == 404
    assert client_for(personas.bruno).get(
        f"/settings/workflow/sla/{policy.pk}/").status_code == 404
    assert client_for(personas.bruno).post(
        f"/settings/workflow/sla/{policy.pk}/delete/").status_code == 404
    assert olivia.post(f"/settings/workflow/sla/{policy.pk}/delete/").status_code == 302
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()


def test_business_hours_per_account_and_team(personas):
    olivia = client_for(personas.olivia)
    page = olivia.get("/settings/workflow/hours/")
    assert page.status_code == 200 and "09:00-17:00" in page.content.decode()
    bad = olivia.post("/settings/workflow/hours/", {"zone": "Mars/Base", "mon": "09:00-17:00"})
    assert bad.status_code == 400
    bad = olivia.post("/settings/workflow/hours/", {"zone": "UTC", "mon": "17:00-09:00"})
    assert bad.status_code == 400
    ok = olivia.post("/settings/workflow/hours/", {
        "zone": "Europe/Warsaw", "mon": "08:00-12:00, 13:00-16:00", "sat": "10:00-14:00",
        "holidays": "2026-12-24\n2026-12-25"})
    assert ok.status_code == 302
    row = BusinessHours.objects.get(account=personas.harbor, team=None)
    assert row.weekly == {"mon": [["08:00", "12:00"], ["13:00", "16:00"]],
                          "sat": [["10:00", "14:00"]]}
    assert row.holidays == ["2026-12-24", "2026-12-25"]
    team_url = f"/settings/workflow/hours/teams/{personas.returns.pk}/"
    assert olivia.post(team_url, {"zone": "Asia/Bangkok", "mon": "09:00-18:00"}
                       ).status_code == 302
    assert BusinessHours.objects.get(team=personas.returns).zone == "Asia/Bangkok"
    assert client_for(personas.bruno).get(team_url).status_code == 404
    assert olivia.post(f"{team_url}delete/").status_code == 302
    assert not BusinessHours.objects.filter(team=personas.returns).exists()
