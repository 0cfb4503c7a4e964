"""One permission check per operation, the same in the API and the workspace: every API route
(read from the OpenAPI schema) and every workspace mutation, for every role — owner, admin,
agent, light agent, and an admin of another account — against the expected allow/deny table.

A new route fails this walk until it is given its row in the table.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from storedesk.accounts.actions import add_member
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Role
from storedesk.inbox.actions import InboundMessage, assign, receive_message
from storedesk.inbox.models import Conversation
from storedesk.testing.personas import PASSWORD
from tests.test_api_tenancy import _body, _call, _url, harbor, operations  # noqa: F401

ROLES = ("owner", "admin", "agent", "light", "other")

# (method, path) -> expected status for owner, admin, agent, light agent, other account.
# 400 where the role is allowed and the business rule refuses (retrying a reply that has not
# failed, an inbound event that has not failed); the harbor conversation is in no team, so
# the light agent does not see it.
TABLE: dict[tuple[str, str], tuple[int, int, int, int, int]] = {
    ("get", "/api/v1/me"): (200, 200, 200, 200, 200),
    ("get", "/api/v1/agents"): (200, 200, 200, 200, 200),
    ("get", "/api/v1/teams"): (200, 200, 200, 200, 200),
    ("get", "/api/v1/inboxes"): (200, 200, 200, 200, 200),
    ("get", "/api/v1/inboxes/{inbox_id}"): (200, 200, 200, 200, 404),
    ("get", "/api/v1/conversations"): (200, 200, 200, 200, 200),
    ("get", "/api/v1/conversations/{conversation_id}"): (200, 200, 200, 404, 404),
    ("get", "/api/v1/conversations/{conversation_id}/messages"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/conversations/{conversation_id}/messages"): (201, 201, 201, 404, 404),
    ("post", "/api/v1/conversations/{conversation_id}/assign"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/conversations/{conversation_id}/status"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/conversations/{conversation_id}/priority"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/conversations/{conversation_id}/tags"): (200, 200, 200, 404, 404),
    ("delete", "/api/v1/conversations/{conversation_id}/tags/{name}"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/messages/{message_id}/retry"): (400, 400, 400, 404, 404),
    ("get", "/api/v1/attachments/{attachment_id}"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/inboxes/{inbox_id}/messages"): (201, 201, 403, 403, 404),
    ("post", "/api/v1/inboxes/{inbox_id}/messages/batch"): (200, 200, 403, 403, 404),
    # raw MIME into the walk's API inbox: admins are refused by the channel check (400)
    ("post", "/api/v1/inboxes/{inbox_id}/email"): (400, 400, 403, 403, 404),
    # email settings on the walk's API inbox: admins are told it is no email inbox (400);
    # dead letters: admins only (the retry of the walk's junk mail keeps it waiting: 200)
    ("get", "/api/v1/inboxes/{inbox_id}/email/settings"): (400, 400, 403, 403, 404),
    ("put", "/api/v1/inboxes/{inbox_id}/email/settings"): (400, 400, 403, 403, 404),
    ("post", "/api/v1/inboxes/{inbox_id}/email/test-connection"): (400, 400, 403, 403, 404),
    ("get", "/api/v1/email/dead-letters"): (200, 200, 403, 403, 200),
    ("post", "/api/v1/email/dead-letters/{dead_letter_id}/retry"): (200, 200, 403, 403, 404),
    ("delete", "/api/v1/email/dead-letters/{dead_letter_id}"): (204, 204, 403, 403, 404),
    ("get", "/api/v1/inboxes/{inbox_id}/keys"): (200, 200, 403, 403, 404),
    ("post", "/api/v1/inboxes/{inbox_id}/keys"): (201, 201, 403, 403, 404),
    ("post", "/api/v1/inboxes/{inbox_id}/keys/{key_id}/rotate"): (201, 201, 403, 403, 404),
    ("delete", "/api/v1/inboxes/{inbox_id}/keys/{key_id}"): (204, 204, 403, 403, 404),
    ("get", "/api/v1/inbound-events"): (200, 200, 403, 403, 200),
    ("post", "/api/v1/inbound-events/{event_id}/retry"): (400, 400, 403, 403, 404),
    ("get", "/api/v1/contacts"): (200, 200, 200, 200, 200),
    ("get", "/api/v1/contacts/{contact_id}"): (200, 200, 200, 200, 404),
    ("patch", "/api/v1/contacts/{contact_id}"): (200, 200, 200, 200, 404),
    ("post", "/api/v1/contacts/{contact_id}/merge"): (200, 200, 200, 403, 404),
    ("get", "/api/v1/stores"): (200, 200, 200, 200, 200),
    ("get", "/api/v1/stores/{store_id}"): (200, 200, 200, 200, 404),
    # commerce (h6-commerce's rules, as they are): store sync and policy need an admin; order
    # actions on a conversation's orders are open to agents (a light agent's refund waits for
    # approval: 202); the harbor order is cancelled/address-changed already (409).
    ("get", "/api/v1/stores/{store_id}/policy"): (200, 200, 200, 200, 404),
    ("put", "/api/v1/stores/{store_id}/policy"): (200, 200, 403, 403, 404),
    ("get", "/api/v1/stores/{store_id}/shipping"): (200, 200, 200, 200, 404),
    ("get", "/api/v1/contacts/{contact_id}/orders"): (200, 200, 200, 200, 404),
    ("get", "/api/v1/orders/{order_id}"): (200, 200, 200, 200, 404),
    ("post", "/api/v1/orders/{order_id}/refunds"): (201, 201, 201, 202, 404),
    ("post", "/api/v1/orders/{order_id}/cancel"): (409, 409, 409, 409, 404),
    ("post", "/api/v1/orders/{order_id}/shipping-address"): (409, 409, 409, 409, 404),
    ("post", "/api/v1/orders/{order_id}/lines"): (409, 409, 409, 409, 404),  # shipped
    ("post", "/api/v1/orders/{order_id}/returns"): (201, 201, 201, 201, 404),
    ("post", "/api/v1/orders/{order_id}/replacements"): (201, 201, 201, 201, 404),
    ("post", "/api/v1/orders/{order_id}/discount-codes"): (201, 201, 201, 403, 404),
    ("get", "/api/v1/approvals"): (200, 200, 200, 200, 200),
    ("post", "/api/v1/approvals/{approval_id}/approve"): (200, 200, 403, 403, 404),
    ("post", "/api/v1/approvals/{approval_id}/reject"): (409, 409, 403, 403, 404),
    ("put", "/api/v1/stores/{store_id}/orders/{external_id}"): (200, 200, 403, 403, 404),
    ("put", "/api/v1/stores/{store_id}/products/{external_id}"): (200, 200, 403, 403, 404),
    ("put", "/api/v1/stores/{store_id}/customers/{external_id}"): (200, 200, 403, 403, 404),
    # outbound webhooks: admins only; the walk deletes the subscription before the routes
    # below it (rotate, deliveries, redeliver), so those answer 404 to owners and admins too.
    ("get", "/api/v1/webhooks"): (200, 200, 403, 403, 200),
    ("post", "/api/v1/webhooks"): (201, 201, 403, 403, 201),
    ("get", "/api/v1/webhooks/{webhook_id}"): (200, 200, 403, 403, 404),
    ("patch", "/api/v1/webhooks/{webhook_id}"): (200, 200, 403, 403, 404),
    ("delete", "/api/v1/webhooks/{webhook_id}"): (204, 204, 403, 403, 404),
    ("post", "/api/v1/webhooks/{webhook_id}/rotate-secret"): (404, 404, 403, 403, 404),
    ("get", "/api/v1/webhooks/{webhook_id}/deliveries"): (404, 404, 403, 403, 404),
    ("post", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"):
        (404, 404, 403, 403, 404),
    # help center: every agent reads and searches; admins edit; the walk deletes the article
    # before its translation routes, so those answer 404 to owners and admins.
    ("get", "/api/v1/helpcenter/search"): (200, 200, 200, 200, 404),
    ("get", "/api/v1/helpcenter/articles"): (200, 200, 200, 200, 404),
    ("post", "/api/v1/helpcenter/articles"): (201, 201, 403, 403, 404),
    ("get", "/api/v1/helpcenter/articles/{article_id}"): (200, 200, 200, 200, 404),
    ("patch", "/api/v1/helpcenter/articles/{article_id}"): (200, 200, 403, 403, 404),
    ("delete", "/api/v1/helpcenter/articles/{article_id}"): (204, 204, 403, 403, 404),
    ("put", "/api/v1/helpcenter/articles/{article_id}/translations/{language}"):
        (404, 404, 403, 403, 404),
    ("post", "/api/v1/helpcenter/articles/{article_id}/translations/{language}/publish"):
        (404, 404, 403, 403, 404),
    ("post", "/api/v1/helpcenter/articles/{article_id}/translations/{language}/unpublish"):
        (404, 404, 403, 403, 404),
    # workflow: every agent reads the SLA policies, admins write them
    ("get", "/api/v1/sla/policies"): (200, 200, 200, 200, 200),
    ("post", "/api/v1/sla/policies"): (201, 201, 403, 403, 201),
    ("get", "/api/v1/sla/policies/{policy_id}"): (200, 200, 200, 200, 404),
    ("put", "/api/v1/sla/policies/{policy_id}"): (200, 200, 403, 403, 404),
    ("delete", "/api/v1/sla/policies/{policy_id}"): (204, 204, 403, 403, 404),
    ("get", "/api/v1/escalation-plans"): (200, 200, 200, 200, 200),
    ("post", "/api/v1/escalation-plans"): (201, 201, 403, 403, 201),
    ("get", "/api/v1/escalation-plans/{plan_id}"): (200, 200, 200, 200, 404),
    ("put", "/api/v1/escalation-plans/{plan_id}"): (200, 200, 403, 403, 404),
    ("delete", "/api/v1/escalation-plans/{plan_id}"): (204, 204, 403, 403, 404),
    # follow-ups: every agent who sees the conversation schedules, edits and cancels replies and
    # reminders (send-now answers 400: the walk cancelled the reply just before); admins set
    # auto-resolve and edit playbooks, every agent reads them
    ("get", "/api/v1/conversations/{conversation_id}/scheduled-replies"):
        (200, 200, 200, 404, 404),
    ("post", "/api/v1/conversations/{conversation_id}/scheduled-replies"):
        (201, 201, 201, 404, 404),
    ("get", "/api/v1/scheduled-replies/{scheduled_id}"): (200, 200, 200, 404, 404),
    ("put", "/api/v1/scheduled-replies/{scheduled_id}"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/scheduled-replies/{scheduled_id}/cancel"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/scheduled-replies/{scheduled_id}/send-now"): (400, 400, 400, 404, 404),
    ("get", "/api/v1/conversations/{conversation_id}/reminders"): (200, 200, 200, 404, 404),
    ("post", "/api/v1/conversations/{conversation_id}/reminders"): (201, 201, 201, 404, 404),
    ("post", "/api/v1/reminders/{reminder_id}/cancel"): (200, 200, 200, 404, 404),
    ("get", "/api/v1/followups/settings"): (200, 200, 200, 200, 200),
    ("put", "/api/v1/followups/settings"): (200, 200, 403, 403, 200),
    ("get", "/api/v1/playbooks"): (200, 200, 200, 200, 200),
    ("post", "/api/v1/playbooks"): (201, 201, 403, 403, 404),
    ("get", "/api/v1/playbooks/{playbook_id}"): (200, 200, 200, 200, 404),
    ("put", "/api/v1/playbooks/{playbook_id}"): (200, 200, 403, 403, 404),
    ("delete", "/api/v1/playbooks/{playbook_id}"): (204, 204, 403, 403, 404),
    ("get", "/api/v1/conversations/{conversation_id}/playbooks"): (200, 200, 200, 404, 404),
    ("get", "/api/v1/rules"): (200, 200, 200, 200, 200),
    ("post", "/api/v1/rules"): (201, 201, 403, 403, 201),
    ("get", "/api/v1/rules/{rule_id}"): (200, 200, 200, 200, 404),
    ("put", "/api/v1/rules/{rule_id}"): (200, 200, 403, 403, 404),
    ("delete", "/api/v1/rules/{rule_id}"): (204, 204, 403, 403, 404),
    # agents set their own availability (the walk's seat is Ahmet's), admins anyone's
    ("post", "/api/v1/routing/agents/{membership_id}/availability"):
        (200, 200, 200, 403, 404),
}


@pytest.fixture
def seats(personas):
    admin = add_member(personas.harbor, "ada@harbor.test", role=Role.ADMIN, name="Ada Admin",
                       password=PASSWORD)
    return dict(zip(ROLES, (personas.olivia, admin, personas.ahmet, personas.lina,
                            personas.bruno), strict=True))


@pytest.fixture
def duplicate(personas):
    """A second Harbor contact, for the merge route."""
    return receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse-2", name="Ayse K", text="second account")).conversation.contact_id


@pytest.mark.parametrize("role", ROLES)
def test_every_api_route_for_every_role(role, seats, harbor, duplicate, api):  # noqa: F811
    client = api(seats[role])
    column = ROLES.index(role)
    seen = set()
    for method, path, operation in operations():
        assert (method, path) in TABLE, f"{method.upper()} {path}: add it to TABLE"
        seen.add((method, path))
        body = _body(method, path, operation, harbor)
        if body is not None and "duplicate_id" in body:
            body["duplicate_id"] = duplicate
        response = _call(client, method, _url(method, path, operation, harbor), body)
        expected = TABLE[(method, path)][column]
        assert response.status_code == expected, (role, method, path, response.content[:200])
        if response.status_code >= 400:
            assert "detail" in response.json()
    assert seen == set(TABLE)


@pytest.fixture
def returns_case(personas):
    """A conversation on the Returns team (Lina's), assigned to Lina."""
    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="ret-1", text="I want to send this back")).conversation
    assign(conversation, Actor.agent(personas.olivia), assignee=personas.lina,
           team=personas.returns, set_team=True)
    return conversation


def test_a_light_agent_moves_conversations_only_within_her_teams_in_the_api(
    personas, returns_case, api
):
    lina = api(personas.lina)
    url = f"/api/v1/conversations/{returns_case.pk}/assign"
    # she cannot hand it to Olivia (not in her teams) or take it off her team
    for body in ({"assignee_id": personas.olivia.pk},
                 {"assignee_id": personas.lina.pk, "team_id": None}):
        response = lina.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 403, body
        assert "within your teams" in response.json()["detail"]
    returns_case.refresh_from_db()
    assert (returns_case.assignee_id, returns_case.team_id) == (personas.lina.pk,
                                                                personas.returns.pk)
    # a teammate on Returns is fine
    ok = lina.post(url, json.dumps({"assignee_id": personas.ahmet.pk}),
                   content_type="application/json")
    assert ok.status_code == 200 and ok.json()["visible"] is True


def test_a_change_that_moves_a_conversation_out_of_view_says_so(personas, api):
    # given a conversation in no team, assigned to Lina (so she sees it only through that)
    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="x-1", text="hello")).conversation
    assign(conversation, Actor.agent(personas.olivia), assignee=personas.lina)
    lina = api(personas.lina)
    # when she unassigns herself
    response = lina.post(f"/api/v1/conversations/{conversation.pk}/assign",
                         json.dumps({"assignee_id": None}), content_type="application/json")
    # then the answer is the result, flagged as no longer visible (not "applied, then 404")
    assert response.status_code == 200
    assert response.json()["visible"] is False
    assert response.json()["assignee"] is None
    assert lina.get(f"/api/v1/conversations/{conversation.pk}").status_code == 404


def signed_in(membership) -> Client:
    client = Client()
    assert client.login(email=membership.agent.email, password=PASSWORD)
    return client


def test_the_workspace_applies_the_same_checks(personas, returns_case, duplicate, harbor):  # noqa: F811
    lina = signed_in(personas.lina)
    base = f"/conversations/{returns_case.display_id}"
    # moving it to Olivia is refused with the same message as the API
    refused = lina.post(f"{base}/assign/", {"assignee": personas.olivia.pk,
                                            "team": personas.returns.pk})
    assert refused.status_code == 400
    assert "within your teams" in refused.content.decode()
    returns_case.refresh_from_db()
    assert returns_case.assignee_id == personas.lina.pk
    # merging contacts is not offered to her, and the merge URL refuses
    contact_id = returns_case.contact_id
    merge = lina.post(f"/contacts/{contact_id}/merge/confirm/", {"other": duplicate})
    assert merge.status_code == 404
    assert Conversation.objects.filter(contact_id=duplicate).exists()
    # Ahmet (agent) may merge
    ahmet = signed_in(personas.ahmet)
    assert ahmet.post(f"/contacts/{contact_id}/merge/confirm/",
                      {"other": duplicate}).status_code == 200
