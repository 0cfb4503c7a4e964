"""Settings pages for automation rules and auto-assignment (admins; others get 404s)."""

from __future__ import annotations

import pytest
from django.test import Client

from storedesk.accounts.actions import create_team
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation
from storedesk.workflow.models import AgentProfile, AssignmentPool, AutomationRule

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def test_an_admin_builds_the_polish_rule_in_the_settings(personas):
    poland = create_team(personas.harbor, "Poland")
    olivia = client_for(personas.olivia)
    assert olivia.get("/settings/workflow/rules/new/").status_code == 200
    # an action without its value is refused with the reason
    refused = olivia.post("/settings/workflow/rules/new/", {
        "name": "Polish", "triggers": ["conversation_created"], "match_all": "all",
        "position": "1", "is_active": "on", "c0_field": "language", "c0_op": "is",
        "c0_value": "pl", "a0_type": "assign_team", "a0_pick": ""})
    assert refused.status_code == 400 and "Unknown team" in refused.content.decode()
    created = olivia.post("/settings/workflow/rules/new/", {
        "name": "Polish", "triggers": ["conversation_created", "language_detected"],
        "match_all": "all", "position": "1", "is_active": "on", "c0_field": "language",
        "c0_op": "is", "c0_value": "pl", "a0_type": "assign_team",
        "a0_pick": f"team:{poland.pk}", "a1_type": "add_tag", "a1_text": "polski"})
    assert created.status_code == 302
    rule = AutomationRule.objects.get(account=personas.harbor, name="Polish")
    assert rule.actions == [{"type": "assign_team", "value": poland.pk},
                            {"type": "add_tag", "value": "polski"}]
    # the edit page shows what was saved
    page = olivia.get(f"/settings/workflow/rules/{rule.pk}/").content.decode()
    assert f'value="team:{poland.pk}" selected' in page
    # and it works
    conversation = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="pl-s", text="Dzień dobry", metadata={"language": "pl"})).conversation
    assert Conversation.objects.get(pk=conversation.pk).team_id == poland.pk
    assert "Polish" in olivia.get(f"/conversations/{conversation.display_id}/").content.decode()
    # others cannot see or change it
    assert client_for(personas.ahmet).get("/settings/workflow/rules/").status_code == 404
    assert client_for(personas.bruno).post(
        f"/settings/workflow/rules/{rule.pk}/delete/").status_code == 404
    assert olivia.post(f"/settings/workflow/rules/{rule.pk}/delete/").status_code == 302
    assert not AutomationRule.objects.filter(pk=rule.pk).exists()


def test_an_admin_turns_on_auto_assignment_and_sets_skills(personas):
    olivia = client_for(personas.olivia)
    assert olivia.get("/settings/workflow/routing/").status_code == 200
    saved = olivia.post("/settings/workflow/routing/", {
        "target": f"inbox:{personas.harbor_chat.pk}", "strategy": "round_robin",
        "capacity": "3", "only_online": "on"})
    assert saved.status_code == 302
    pool = AssignmentPool.objects.get(account=personas.harbor)
    assert (pool.inbox_id, pool.strategy, pool.capacity) == (personas.harbor_chat.pk,
                                                             "round_robin", 3)
    assert olivia.post(f"/settings/workflow/routing/agents/{personas.ahmet.pk}/", {
        "availability": "online", "capacity": "2", "languages": "tr, en",
        "channels": "webchat"}).status_code == 302
    profile = AgentProfile.objects.get(membership=personas.ahmet)
    assert (profile.capacity, profile.languages, profile.channels) == (2, ["tr", "en"],
                                                                      ["webchat"])
    olivia.post(f"/settings/workflow/routing/agents/{personas.olivia.pk}/",
                {"availability": "away"})
    # a Turkish chat goes to Ahmet (Olivia is away, Lina is a light agent)
    conversation = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="tr-s", text="Merhaba", metadata={"language": "tr"})).conversation
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == personas.ahmet.pk
    assert client_for(personas.bruno).post(
        f"/settings/workflow/routing/pools/{pool.pk}/delete/").status_code == 404
    assert client_for(personas.bruno).post(
        f"/settings/workflow/routing/agents/{personas.ahmet.pk}/",
        {"availability": "away"}).status_code == 404
    assert olivia.post(f"/settings/workflow/routing/pools/{pool.pk}/delete/").status_code == 302
    assert not AssignmentPool.objects.exists()


def test_the_demo_routes_polish_conversations_to_team_poland():
    from storedesk.demo.loader import load_demo
    from storedesk.workflow.models import SlaPolicy

    result = load_demo()
    account = result.account
    rule = AutomationRule.objects.get(account=account, name__startswith="Polish")
    assert rule.fire_count > 0
    polish = Conversation.objects.filter(account=account, language="pl")
    # (a scenario may move its conversation on afterwards: it plays an agent's later work)
    assert polish.filter(team__name="Poland").exists()
    assert SlaPolicy.objects.filter(account=account, channels=["webchat"]).exists()
    load_demo()  # idempotent
    assert AutomationRule.objects.filter(account=account).count() == 1
