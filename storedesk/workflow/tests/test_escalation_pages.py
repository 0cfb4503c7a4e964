"""Settings pages for escalation plans (admins; others get 404s), validated like the API, and
the plan's progress on the conversation."""

from __future__ import annotations

import pytest
from django.test import Client

from storedesk.accounts.actions import create_team
from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, receive_message, tag
from storedesk.inbox.models import Conversation
from storedesk.workflow.models import Escalation, EscalationPlan

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def test_an_admin_builds_a_complaint_plan_and_sees_it_run_on_a_conversation(personas):
    leads = create_team(personas.harbor, "Leads")
    olivia = client_for(personas.olivia)
    assert olivia.get("/settings/workflow/escalation/").status_code == 200
    assert olivia.get("/settings/workflow/escalation/new/").status_code == 200
    # steps out of order are refused with the reason, and nothing is saved
    refused = olivia.post("/settings/workflow/escalation/new/", {
        "name": "Complaints", "trigger": "tagged", "trigger_value": "complaint",
        "is_active": "on", "s0_after": "30", "s0_type": "set_priority",
        "s0_pick": "priority:urgent", "s1_after": "0", "s1_type": "notify_team",
        "s1_pick": f"team:{leads.pk}"})
    assert refused.status_code == 400
    assert "Steps are in order of minutes after the start." in refused.content.decode()
    # a tag trigger without the tag is refused too
    assert olivia.post("/settings/workflow/escalation/new/", {
        "name": "Complaints", "trigger": "tagged", "s0_after": "0",
        "s0_type": "add_note", "s0_text": "Look"}).status_code == 400
    assert not EscalationPlan.objects.exists()
    created = olivia.post("/settings/workflow/escalation/new/", {
        "name": "Complaints", "trigger": "tagged", "trigger_value": "Complaint",
        "is_active": "on", "s0_after": "0", "s0_type": "assign_team",
        "s0_pick": f"team:{leads.pk}", "s1_after": "30", "s1_type": "set_priority",
        "s1_pick": "priority:urgent"})
    assert created.status_code == 302, created.content.decode()
    plan = EscalationPlan.objects.get(account=personas.harbor)
    assert plan.trigger_value == "complaint"
    assert plan.steps == [{"after_minutes": 0, "type": "assign_team", "value": leads.pk},
                          {"after_minutes": 30, "type": "set_priority", "value": "urgent"}]
    listing = olivia.get("/settings/workflow/escalation/").content.decode()
    assert "Complaints" in listing and "Assign to team → Set priority" in listing
    # the edit page shows what was saved
    page = olivia.get(f"/settings/workflow/escalation/{plan.pk}/").content.decode()
    assert f'value="team:{leads.pk}" selected' in page
    assert 'value="priority:urgent" selected' in page
    # when a conversation is tagged "complaint", the first step runs at once
    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="angry", text="This is unacceptable")).conversation
    tag(conversation, Actor.agent(personas.ahmet), "complaint")
    assert Conversation.objects.get(pk=conversation.pk).team_id == leads.pk
    assert Escalation.objects.filter(plan=plan, conversation=conversation).exists()
    # and the plan with its progress is on the conversation (the SLA panel)
    view = olivia.get(f"/conversations/{conversation.display_id}/").content.decode()
    assert 'data-escalation="Complaints"' in view
    assert 'data-step="1" data-step-state="done"' in view
    assert 'data-step="2" data-step-state="waiting"' in view


def test_escalation_pages_are_for_admins_of_the_account(personas):
    plan = EscalationPlan.objects.create(
        account=personas.harbor, name="Breach", trigger="sla_breached",
        steps=[{"after_minutes": 0, "type": "set_priority", "value": "high"}])
    assert client_for(personas.ahmet).get("/settings/workflow/escalation/").status_code == 404
    bruno = client_for(personas.bruno)
    assert bruno.get(f"/settings/workflow/escalation/{plan.pk}/").status_code == 404
    assert bruno.post(f"/settings/workflow/escalation/{plan.pk}/delete/").status_code == 404
    olivia = client_for(personas.olivia)
    assert olivia.get(f"/settings/workflow/escalation/{plan.pk}/delete/").status_code == 405
    assert olivia.post(f"/settings/workflow/escalation/{plan.pk}/delete/").status_code == 302
    assert not EscalationPlan.objects.filter(pk=plan.pk).exists()


def test_the_rule_form_takes_timed_triggers_and_new_actions(personas):
    poland = create_team(personas.harbor, "Poland")
    olivia = client_for(personas.olivia)
    refused = olivia.post("/settings/workflow/rules/new/", {
        "name": "Morning", "triggers": ["scheduled"], "match_all": "all", "position": "1",
        "is_active": "on", "a0_type": "notify_team", "a0_pick": f"team:{poland.pk}"})
    assert refused.status_code == 400
    assert "either every N hours or every day at a time" in refused.content.decode()
    created = olivia.post("/settings/workflow/rules/new/", {
        "name": "Morning", "triggers": ["scheduled", "sla_about_to_breach"],
        "schedule_daily_at": "09:00", "sla_lead_minutes": "15", "match_all": "all",
        "position": "1", "is_active": "on", "c0_field": "order_status", "c0_op": "is",
        "c0_value": "unfulfilled", "a0_type": "notify_team", "a0_pick": f"team:{poland.pk}"})
    assert created.status_code == 302, created.content.decode()
    from storedesk.workflow.models import AutomationRule

    rule = AutomationRule.objects.get(name="Morning")
    assert rule.sla_lead_minutes == 15 and rule.schedule_daily_at.strftime("%H:%M") == "09:00"
    page = olivia.get(f"/settings/workflow/rules/{rule.pk}/").content.decode()
    assert 'value="09:00"' in page and 'value="15"' in page
