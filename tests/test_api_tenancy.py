"""Every API route, read from the OpenAPI schema: no token is a 401, and Bruno (Northwind's admin)
gets a 404 on each of Harbor & Vine's objects and never sees a Harbor row in a list.

A new route is covered automatically; if it takes a path parameter or a body this file does not
know yet, the test fails and names it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from config.api import api as ninja_api
from storedesk.accounts.actor import Actor
from storedesk.commerce.actions import RefundAsk, request_refund
from storedesk.connectors.actions import create_integration_key
from storedesk.connectors.email.dead_letters import keep as keep_dead_letter
from storedesk.connectors.inbound import record_event
from storedesk.events.models import Event
from storedesk.helpcenter.actions import (
    ArticleInput,
    ensure_help_center,
    publish_translation,
    save_article,
)
from storedesk.inbox.actions import InboundMessage, receive_message, send_reply, tag
from storedesk.inbox.models import Message
from storedesk.inbox.storage import IncomingFile
from storedesk.testing.shop import seed_order
from storedesk.webhooks.actions import create_subscription, fan_out
from storedesk.workflow.actions_followups import (
    ReplyDraft,
    followup_settings,
    schedule_reply,
    set_reminder,
)
from storedesk.workflow.actions_rules import create_rule, save_escalation_plan
from storedesk.workflow.actions_sla import PolicySpec, create_sla_policy
from storedesk.workflow.playbooks import PlaybookSpec, create_playbook
from storedesk.workflow.rules import RuleSpec

HARBOR_MARKERS = ("Harbor", "harbor.test", "harbor-vine", "Ayşe", "harbor-secret-text")

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/inboxes/{inbox_id}/messages"): {
        "source_id": "intruder", "text": "hello", "message_id": "x-1"},
    ("post", "/api/v1/inboxes/{inbox_id}/messages/batch"): {"messages": [
        {"source_id": "intruder", "text": "hello", "message_id": "x-batch-1"}]},
    ("post", "/api/v1/conversations/{conversation_id}/messages"): {"text": "hi"},
    # raw MIME (the walk posts JSON: the API inbox refuses it before the body is read)
    ("post", "/api/v1/inboxes/{inbox_id}/email"): {"raw": "From: intruder@evil.test"},
    ("put", "/api/v1/inboxes/{inbox_id}/email/settings"): {"address": "intruder@evil.test"},
    ("post", "/api/v1/conversations/{conversation_id}/assign"): {"assignee_id": None},
    ("post", "/api/v1/conversations/{conversation_id}/status"): {"status": "resolved"},
    ("post", "/api/v1/conversations/{conversation_id}/priority"): {"priority": "urgent"},
    ("post", "/api/v1/conversations/{conversation_id}/tags"): {"name": "stolen"},
    ("patch", "/api/v1/contacts/{contact_id}"): {"name": "Renamed"},
    ("post", "/api/v1/inboxes/{inbox_id}/keys"): {"name": "stolen"},
    ("post", "/api/v1/contacts/{contact_id}/merge"): {"duplicate_id": 0},  # filled in below
    ("put", "/api/v1/stores/{store_id}/policy"): {"return_window_days": 365},
    ("put", "/api/v1/stores/{store_id}/orders/{external_id}"): {
        "number": "666", "placed_at": "2026-11-20T10:00:00Z"},
    ("put", "/api/v1/stores/{store_id}/products/{external_id}"): {"title": "Stolen"},
    ("put", "/api/v1/stores/{store_id}/customers/{external_id}"): {"name": "Stolen"},
    ("post", "/api/v1/orders/{order_id}/refunds"): {"idempotency_key": "x", "amount": "1.00"},
    ("post", "/api/v1/orders/{order_id}/cancel"): {"reason": "x"},
    ("post", "/api/v1/orders/{order_id}/shipping-address"): {
        "shipping_address": {"address1": "a", "city": "b", "country": "US"}},
    ("post", "/api/v1/orders/{order_id}/lines"): {
        "idempotency_key": "x", "changes": [{"line_id": "{line_id}", "quantity": 1}]},
    ("post", "/api/v1/orders/{order_id}/returns"): {
        "lines": [{"line_id": "{line_id}", "quantity": 1}], "reason": "x"},
    ("post", "/api/v1/orders/{order_id}/replacements"): {
        "lines": [{"line_id": "{line_id}", "quantity": 1}], "reason": "x"},
    ("post", "/api/v1/orders/{order_id}/discount-codes"): {"amount": "1.00"},
    ("post", "/api/v1/approvals/{approval_id}/approve"): {},
    ("post", "/api/v1/approvals/{approval_id}/reject"): {},
    ("post", "/api/v1/webhooks"): {"url": "https://hooks.northwind.test/in",
                                   "events": ["message.received"]},
    ("patch", "/api/v1/webhooks/{webhook_id}"): {"url": "https://evil.test/steal"},
}
BODIES[("patch", "/api/v1/helpcenter/articles/{article_id}")] = {"tags": ["stolen"]}
BODIES[("put", "/api/v1/helpcenter/articles/{article_id}/translations/{language}")] = {
    "title": "Stolen"}
BODIES[("post", "/api/v1/helpcenter/articles")] = {
    "store": "{store_id}", "language": "en", "title": "Stolen"}
BODIES[("post", "/api/v1/sla/policies")] = {"name": "Stolen promise",
                                            "first_response_minutes": 5}
BODIES[("put", "/api/v1/sla/policies/{policy_id}")] = {"name": "Renamed promise",
                                                       "first_response_minutes": 5}
BODIES[("post", "/api/v1/escalation-plans")] = {
    "name": "Stolen plan", "trigger": "sla_breached",
    "steps": [{"after_minutes": 0, "type": "add_tag", "value": "stolen"}]}
BODIES[("put", "/api/v1/escalation-plans/{plan_id}")] = {
    "name": "Renamed plan", "trigger": "sla_breached",
    "steps": [{"after_minutes": 0, "type": "add_tag", "value": "stolen"}]}
BODIES[("post", "/api/v1/rules")] = {
    "name": "Stolen rule", "triggers": ["message_received"],
    "actions": [{"type": "add_tag", "value": "stolen"}]}
BODIES[("put", "/api/v1/rules/{rule_id}")] = {
    "name": "Renamed rule", "triggers": ["message_received"],
    "actions": [{"type": "add_tag", "value": "stolen"}]}
BODIES[("post", "/api/v1/routing/agents/{membership_id}/availability")] = {
    "availability": "away"}
BODIES[("post", "/api/v1/conversations/{conversation_id}/scheduled-replies")] = {
    "text": "stolen reply", "send_at": "{send_at}"}
BODIES[("put", "/api/v1/scheduled-replies/{scheduled_id}")] = {
    "text": "stolen reply", "send_at": "{send_at}"}
BODIES[("post", "/api/v1/conversations/{conversation_id}/reminders")] = {"after_hours": 4}
BODIES[("put", "/api/v1/followups/settings")] = {"auto_resolve_days": 1}
BODIES[("post", "/api/v1/playbooks")] = {
    "name": "Stolen playbook", "article_id": "{internal_article_id}", "tags": ["stolen"]}
BODIES[("put", "/api/v1/playbooks/{playbook_id}")] = {
    "name": "Renamed playbook", "article_id": "{internal_article_id}", "tags": ["stolen"]}
# Required query parameters of routes without a path parameter ("{name}" is a Harbor id).
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("get", "/api/v1/helpcenter/search"): {"store": "{store_id}", "q": "returns", "lang": "en"},
    ("get", "/api/v1/helpcenter/articles"): {"store": "{store_id}"},
}
# Routes without an id that create in the caller's own account (checked as such in the walk).
CREATES_IN_OWN_ACCOUNT = {("post", "/api/v1/webhooks"), ("post", "/api/v1/sla/policies"),
                          ("post", "/api/v1/rules"), ("post", "/api/v1/escalation-plans")}
# Routes without an id that change the caller's own account's settings (200, Harbor's unchanged).
CHANGES_OWN_SETTINGS = {("put", "/api/v1/followups/settings")}
# Routes without a path parameter that name a Harbor object in their query or body: a 404.
NAMES_HARBOR_OBJECT = {
    ("get", "/api/v1/helpcenter/search"), ("get", "/api/v1/helpcenter/articles"),
    ("post", "/api/v1/helpcenter/articles"), ("post", "/api/v1/playbooks"),
}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = ninja_api.get_openapi_schema()
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((method, path, operation))
    return found


@pytest.fixture
def harbor(personas):
    """Harbor's objects: a conversation with a message, an attachment, a reply, a tag."""
    olivia = Actor.agent(personas.olivia)
    received = receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse-1", name="Ayşe Kaya", email="ayse@harbor.test",
        text="harbor-secret-text", source_id="h-1",
        attachments=[IncomingFile("invoice.pdf", b"%PDF-1.4", "application/pdf")],
    ))
    reply = send_reply(received.conversation, olivia, "harbor-secret-text reply")
    tag(received.conversation, olivia, "vip")
    order = seed_order(personas.harbor_store, number="H-1", email="ayse@harbor.test")
    approval = request_refund(order, Actor.agent(personas.ahmet), RefundAsk(
        idempotency_key="harbor-big", amount=Decimal("100.00"))).approval
    key, _ = create_integration_key(personas.harbor_api, name="Harbor backend")
    dead_letter, _ = keep_dead_letter(personas.harbor_email, b"harbor-secret-text junk",
                                      source="upload", reason="Unparseable: no headers")
    event = record_event("api", "harbor-event-1", b"{}", {}, inbox=personas.harbor_api).event
    webhook = create_subscription(personas.olivia, url="https://hooks.harbor.test/in",
                                  events=["message.received"]).subscription
    [webhook_delivery] = fan_out(
        Event.objects.filter(account=personas.harbor, kind="message.received",
                             conversation=received.conversation).earliest("pk").pk)
    article = publish_translation(None, save_article(
        None, ensure_help_center(personas.harbor_store),
        ArticleInput(slug="returns", language="en", title="Returns at Harbor",
                     body="harbor-secret-text"))).article
    policy = create_sla_policy(personas.harbor, PolicySpec(
        name="Harbor promise", first_response_minutes=30))
    rule = create_rule(personas.harbor, RuleSpec(
        name="Harbor rule", triggers=["message_received"],
        actions=[{"type": "add_tag", "value": "harbor"}]))
    plan = save_escalation_plan(
        personas.harbor, name="Harbor plan", trigger="sla_breached", trigger_value="",
        steps=[{"after_minutes": 0, "type": "add_tag", "value": "late"}])
    send_at = timezone.now() + timedelta(days=1)
    scheduled = schedule_reply(received.conversation, personas.olivia,
                               ReplyDraft("harbor-secret-text later", "", {}), send_at)
    reminder = set_reminder(received.conversation, personas.olivia, send_at)
    procedure = publish_translation(None, save_article(
        None, ensure_help_center(personas.harbor_store),
        ArticleInput(slug="lost-parcel", language="en", title="Harbor lost parcel procedure",
                     body="harbor-secret-text", visibility="internal"))).article
    playbook = create_playbook(personas.olivia, PlaybookSpec(
        name="Harbor playbook", article_id=procedure.pk, tags=["vip"]))
    return {
        "send_at": send_at.isoformat(),
        "scheduled_id": scheduled.pk,
        "reminder_id": reminder.pk,
        "internal_article_id": procedure.pk,
        "playbook_id": playbook.pk,
        "plan_id": plan.pk,
        "rule_id": rule.pk,
        "membership_id": personas.ahmet.pk,
        "policy_id": policy.pk,
        "article_id": article.pk,
        "language": "en",
        "webhook_id": webhook.pk,
        "delivery_id": webhook_delivery.pk,
        "key_id": key.pk,
        "dead_letter_id": dead_letter.pk,
        "event_id": event.pk,
        "inbox_id": personas.harbor_api.pk,
        "conversation_id": received.conversation.pk,
        "message_id": reply.pk,
        "attachment_id": received.message.attachments.get().pk,
        "contact_id": received.conversation.contact_id,
        "store_id": personas.harbor_store.pk,
        "name": "vip",
        "order_id": order.pk,
        "approval_id": approval.pk,
        "external_id": order.external_id,
        "line_id": order.lines.earliest("pk").pk,
    }


@pytest.fixture
def northwind(personas):
    """Bruno's own data, so his lists are not trivially empty."""
    received = receive_message(personas.northwind_api, InboundMessage(
        sender_id="nw-1", name="Nora", email="nora@northwind.test", text="northwind question"))
    return received


def _call(client, method: str, url: str, body: dict[str, Any] | None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _fill(path: str, ids: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in ids:
            pytest.fail(f"{path}: no Harbor object known for path parameter {{{name}}}")
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", value, path)


def _body(method: str, path: str, operation: dict[str, Any], harbor_ids: dict[str, Any]):
    if "requestBody" not in operation:
        return None
    if (method, path) not in BODIES:
        pytest.fail(f"{method.upper()} {path} takes a body: add an example to BODIES")
    body = dict(BODIES[(method, path)])
    if "duplicate_id" in body:
        body["duplicate_id"] = harbor_ids["contact_id"]
    return _placeholders(body, harbor_ids)


def _placeholders(value: Any, harbor_ids: dict[str, Any]) -> Any:
    """Replace every "{name}" string, at any depth, with that Harbor id (ids differ per
    database)."""
    if isinstance(value, dict):
        return {k: _placeholders(v, harbor_ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, harbor_ids) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return harbor_ids[value[1:-1]]
    return value


def _url(method: str, path: str, operation: dict[str, Any], harbor_ids: dict[str, Any]) -> str:
    """The path with Harbor's ids, plus the route's required query parameters."""
    url = _fill(path, harbor_ids)
    required = [p["name"] for p in operation.get("parameters", [])
                if p.get("in") == "query" and p.get("required")]
    if not required:
        return url
    if (method, path) not in QUERIES:
        pytest.fail(f"{method.upper()} {path} needs query parameters: add them to QUERIES")
    query = {name: _fill(value, harbor_ids) for name, value in QUERIES[(method, path)].items()}
    return url + "?" + "&".join(f"{name}={value}" for name, value in query.items())


def test_the_schema_lists_every_route_we_promise():
    # the contract routes must be in the schema (and so in the walks below)
    routes = {(m, p) for m, p, _ in operations()}
    for expected in [
        ("get", "/api/v1/inboxes"), ("get", "/api/v1/inboxes/{inbox_id}"),
        ("post", "/api/v1/inboxes/{inbox_id}/messages"), ("get", "/api/v1/stores"),
        ("get", "/api/v1/conversations"), ("get", "/api/v1/conversations/{conversation_id}"),
        ("get", "/api/v1/conversations/{conversation_id}/messages"),
        ("post", "/api/v1/conversations/{conversation_id}/messages"),
        ("post", "/api/v1/conversations/{conversation_id}/assign"),
        ("post", "/api/v1/conversations/{conversation_id}/status"),
        ("post", "/api/v1/conversations/{conversation_id}/priority"),
        ("post", "/api/v1/conversations/{conversation_id}/tags"),
        ("delete", "/api/v1/conversations/{conversation_id}/tags/{name}"),
        ("post", "/api/v1/messages/{message_id}/retry"),
        ("get", "/api/v1/attachments/{attachment_id}"), ("get", "/api/v1/contacts"),
        ("get", "/api/v1/contacts/{contact_id}"), ("patch", "/api/v1/contacts/{contact_id}"),
        ("post", "/api/v1/contacts/{contact_id}/merge"), ("get", "/api/v1/me"),
    ]:
        assert expected in routes, expected


def test_every_route_needs_a_token(personas, harbor, api):
    # given nobody, and somebody with a made-up token
    anonymous, forged = api(), api(token="sd_not-a-real-token")
    for method, path, operation in operations():
        url = _url(method, path, operation, harbor)
        body = _body(method, path, operation, harbor)
        # when they call the route, then they get a JSON 401
        for client in (anonymous, forged):
            response = _call(client, method, url, body)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json() == {"detail": "Unauthorized"}


def test_bruno_gets_404_on_every_harbor_object_and_sees_no_harbor_rows(
    personas, harbor, northwind, api
):
    # given Bruno, admin of Northwind, with a valid token
    bruno = api(personas.bruno)
    before = (Message.objects.filter(account=personas.harbor).count(),
              Event.objects.filter(account=personas.harbor).count())
    walked = 0
    for method, path, operation in operations():
        url = _url(method, path, operation, harbor)
        body = _body(method, path, operation, harbor)
        # when he calls the route on Harbor's ids
        response = _call(bruno, method, url, body)
        if "{" in path or (method, path) in NAMES_HARBOR_OBJECT:
            # then every object route is a 404 with a JSON detail
            assert response.status_code == 404, (method, path, response.status_code)
            assert "detail" in response.json()
        elif (method, path) in CREATES_IN_OWN_ACCOUNT:
            # and what he creates lands in Northwind, showing nothing of Harbor
            assert response.status_code == 201, (path, response.status_code)
            text = response.content.decode()
            for marker in HARBOR_MARKERS:
                assert marker not in text, (path, marker)
        elif (method, path) in CHANGES_OWN_SETTINGS:
            # and his settings change his own account only
            assert response.status_code == 200, (path, response.status_code)
            assert followup_settings(personas.harbor.pk).auto_resolve_days is None
            assert followup_settings(personas.northwind.pk).auto_resolve_days == 1
        else:
            # and every list shows only Northwind's rows
            assert method == "get", f"{method.upper()} {path}: add a cross-account check"
            assert response.status_code == 200, (path, response.status_code)
            text = response.content.decode()
            for marker in HARBOR_MARKERS:
                assert marker not in text, (path, marker)
        walked += 1
    # then nothing of Harbor's was written
    after = (Message.objects.filter(account=personas.harbor).count(),
             Event.objects.filter(account=personas.harbor).count())
    assert after == before
    assert walked == len(operations()) >= 20


def test_bruno_lists_his_own_rows(personas, harbor, northwind, api):
    # the lists in the walk above are not empty by accident
    bruno = api(personas.bruno)
    conversations = bruno.get("/api/v1/conversations").json()["items"]
    assert [c["id"] for c in conversations] == [northwind.conversation.pk]
    assert [c["name"] for c in bruno.get("/api/v1/contacts").json()["items"]] == ["Nora"]
    assert [i["name"] for i in bruno.get("/api/v1/inboxes").json()] == ["Northwind API"]
    assert bruno.get("/api/v1/me").json()["account"]["name"] == "Northwind"


def test_bruno_cannot_pull_harbor_objects_into_his_own(personas, harbor, northwind, api):
    # given Bruno's own conversation and contact
    bruno = api(personas.bruno)
    own = f"/api/v1/conversations/{northwind.conversation.pk}"
    # when he names Harbor's agent, team or contact in a body
    to_olivia = _call(bruno, "post", f"{own}/assign", {"assignee_id": personas.olivia.pk})
    to_returns = _call(bruno, "post", f"{own}/assign",
                       {"assignee_id": None, "team_id": personas.returns.pk})
    merge = _call(bruno, "post", f"/api/v1/contacts/{northwind.conversation.contact_id}/merge",
                  {"duplicate_id": harbor["contact_id"]})
    # then each is a 404 and nothing moved
    assert (to_olivia.status_code, to_returns.status_code, merge.status_code) == (404, 404, 404)
    northwind.conversation.refresh_from_db()
    assert northwind.conversation.assignee_id is None and northwind.conversation.team_id is None


def test_the_schema_and_docs_are_public(client):
    # the OpenAPI document and the docs page need no token
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert client.get("/api/v1/docs").status_code == 200
