"""Issue 14's "Done when", in a real browser on the demo account: the admin sets "chat: first
response within 1 hour", the rule "Polish conversations → team Poland" and an escalation plan
for breaches through the settings pages; new Polish chats are routed to team Poland (Kasia),
their clocks run, and a breach (a chat that arrived 70 minutes ago: the test's clock travels
back for its arrival) escalates: priority raised, team Poland notified, all on the
conversation's SLA panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from storedesk.accounts.models import Team
from storedesk.assistant.actions import set_inbox_mode
from storedesk.demo import data as demo_data
from storedesk.demo.loader import load_demo
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation, Mention
from storedesk.workflow.demo import POLISH_RULE
from storedesk.workflow.models import AutomationRule, EscalationPlan, SlaBreach, SlaPolicy
from storedesk.workflow.tasks import mark_sla_breaches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def polish_chat(inbox, sender: str) -> Conversation:
    return receive_message(inbox, InboundMessage(
        sender_id=sender, text="Dzień dobry, gdzie jest moja paczka?",
        metadata={"language": "pl"})).conversation


def test_the_admin_sets_sla_rule_and_escalation_and_sees_routing_clocks_and_a_breach(
        asgi_server, browser):
    from playwright.sync_api import expect

    # given the demo, without its chat policy and Polish rule (the admin makes them here) and
    # with the assistant off on the chat, so a person must answer within the hour
    demo = load_demo()
    account, chat = demo.account, demo.inboxes["chat"]
    AutomationRule.objects.filter(account=account, name=POLISH_RULE).delete()
    SlaPolicy.objects.filter(account=account, channels=["webchat"]).delete()
    set_inbox_mode(chat, "off")
    poland = Team.objects.get(account=account, name="Poland")
    kasia = demo.members["kasia"]
    base = asgi_server.base
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(base + "/login/")
    page.fill("input[name=username]", demo_data.OWNER_EMAIL)
    page.fill("input[name=password]", demo_data.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")

    # when the admin sets "chat: first response within 1 hour" (wall-clock, first in line)
    page.goto(base + "/settings/workflow/sla/new/")
    page.fill("input[name=name]", "Chat: first response within 1 hour")
    page.fill("input[name=first_response_minutes]", "60")
    page.uncheck("input[name=business_hours]")
    page.fill("input[name=position]", "0")
    page.check("input[name=channels][value=webchat]")
    page.click("form button.button-primary")
    expect(page.locator("body")).to_contain_text("Chat: first response within 1 hour")
    # and the rule "Polish conversations → team Poland"
    page.goto(base + "/settings/workflow/rules/new/")
    page.fill("input[name=name]", POLISH_RULE)
    page.check("input[name=triggers][value=conversation_created]")
    page.check("input[name=triggers][value=language_detected]")
    page.select_option("select[name=c0_field]", "language")
    page.select_option("select[name=c0_op]", "is")
    page.fill("input[name=c0_value]", "pl")
    page.select_option("select[name=a0_type]", "assign_team")
    page.select_option("select[name=a0_pick]", f"team:{poland.pk}")
    page.click("form button.button-primary")
    expect(page.locator(".data")).to_contain_text(POLISH_RULE)
    # and an escalation plan for breaches: raise the priority, then tell team Poland
    page.goto(base + "/settings/workflow/escalation/new/")
    page.fill("input[name=name]", "Breached chats")
    page.select_option("select[name=trigger]", "sla_breached")
    page.fill("input[name=s0_after]", "0")
    page.select_option("select[name=s0_type]", "set_priority")
    page.select_option("select[name=s0_pick]", "priority:urgent")
    page.fill("input[name=s1_after]", "0")
    page.select_option("select[name=s1_type]", "notify_team")
    page.select_option("select[name=s1_pick]", f"team:{poland.pk}")
    page.click("form button.button-primary")
    expect(page.locator("[data-plan]")).to_contain_text("Breached chats")
    assert SlaPolicy.objects.filter(account=account, name__startswith="Chat:").exists()
    assert EscalationPlan.objects.filter(account=account, trigger="sla_breached").exists()

    # when a Polish chat arrived 70 minutes ago and nobody answered it, and another just now
    with time_machine.travel(timezone.now() - timedelta(minutes=70), tick=False):
        late = polish_chat(chat, "pl-late")
    fresh = polish_chat(chat, "pl-fresh")
    # and the worker's minute sweep runs
    assert mark_sla_breaches.call_local() >= 1

    # then both were routed to team Poland and to Kasia
    for conversation in (late, fresh):
        row = Conversation.objects.get(pk=conversation.pk)
        assert (row.team_id, row.assignee_id) == (poland.pk, kasia.pk)
    # the fresh one's clock runs, under the admin's policy
    page.goto(base + f"/conversations/{fresh.display_id}/")
    panel = page.locator("#sla-panel")
    expect(panel.locator("[data-sla-policy]")).to_contain_text("Chat: first response within")
    expect(panel.locator("[data-sla-target=first_response]")).to_have_attribute(
        "data-sla-state", "running")
    expect(page.locator("body")).to_contain_text("Kasia Nowak")
    # the late one breached, once, and escalated: urgent, team Poland told, steps done
    [breach] = SlaBreach.objects.filter(conversation=late)
    assert breach.target == "first_response" and breach.policy_name.startswith("Chat:")
    assert Conversation.objects.get(pk=late.pk).priority == "urgent"
    assert Mention.objects.filter(conversation=late, membership=kasia).exists()
    page.goto(base + f"/conversations/{late.display_id}/")
    panel = page.locator("#sla-panel")
    expect(panel.locator("[data-sla-target=first_response]")).to_have_attribute(
        "data-sla-state", "overdue")
    expect(panel.locator("[data-sla-breach=first_response]")).to_be_visible()
    plan = panel.locator("[data-escalation='Breached chats']")
    expect(plan.locator("[data-step='1']")).to_have_attribute("data-step-state", "done")
    expect(plan.locator("[data-step='2']")).to_have_attribute("data-step-state", "done")
    expect(page.locator("body")).to_contain_text("SLA breached")
    context.close()
