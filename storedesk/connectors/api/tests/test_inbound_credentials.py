"""Who may write as a shopper: Harbor's backend with an integration key of the API inbox, or
Olivia (owner) with her token. Ahmet's personal token gets a clear 403."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.models import AuditLog
from storedesk.connectors.actions import (
    create_integration_key,
    revoke_integration_key,
    rotate_integration_key,
)
from storedesk.connectors.auth import AGENT_TOKEN_REFUSED
from storedesk.connectors.models import IntegrationKey
from storedesk.inbox.models import Message

BODY = {"source_id": "cust-7", "name": "Ayşe", "text": "Where is my order?", "message_id": "m-1"}


def _post(client, inbox_id: int, body: dict | None = None):
    return client.post(f"/api/v1/inboxes/{inbox_id}/messages", json.dumps(body or BODY),
                       content_type="application/json")


def test_an_agents_personal_token_is_refused_with_a_403(personas, api):
    response = _post(api(personas.ahmet), personas.harbor_api.pk)
    assert response.status_code == 403
    assert response.json() == {"detail": AGENT_TOKEN_REFUSED}
    assert not Message.objects.exists()
    # a light agent too
    assert _post(api(personas.lina), personas.harbor_api.pk).status_code == 403


def test_the_inboxs_integration_key_posts_as_the_shopper(personas, api):
    # given Harbor's backend holds an integration key of the API inbox
    _, raw = create_integration_key(personas.harbor_api, name="Shop backend")
    backend = api(token=raw)
    # when it posts a shopper's message, and again
    first = _post(backend, personas.harbor_api.pk)
    again = _post(backend, personas.harbor_api.pk)
    # then it is stored once
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Message.objects.filter(source_id="m-1").count() == 1
    assert IntegrationKey.objects.get(inbox=personas.harbor_api).last_used_at is not None
    # and the key is good for nothing else in the API
    assert backend.get("/api/v1/conversations").status_code == 401
    assert backend.get("/api/v1/inboxes").status_code == 401


def test_an_admins_token_still_posts(personas, api):
    assert _post(api(personas.olivia), personas.harbor_api.pk).status_code == 201


def test_a_key_works_only_for_its_own_inbox(personas, api):
    _, raw = create_integration_key(personas.harbor_api)
    other_api = personas.harbor_api.__class__.objects.create(
        account=personas.harbor, name="Second API", channel="api")
    assert _post(api(token=raw), other_api.pk).status_code == 404
    assert _post(api(token=raw), personas.northwind_api.pk).status_code == 404
    # and an agent's token for another account's inbox is a 404, not a 403
    assert _post(api(personas.ahmet), personas.northwind_api.pk).status_code == 404
    assert not Message.objects.exists()


def test_revoked_and_rotated_keys_stop_working(personas, api):
    key, raw = create_integration_key(personas.harbor_api)
    new_key, new_raw = rotate_integration_key(key)
    assert _post(api(token=raw), personas.harbor_api.pk).status_code == 401
    assert _post(api(token=new_raw), personas.harbor_api.pk).status_code == 201
    revoke_integration_key(new_key)
    assert _post(api(token=new_raw), personas.harbor_api.pk, {**BODY, "message_id": "m-2"}
                 ).status_code == 401
    actions = set(AuditLog.objects.filter(account=personas.harbor).values_list("action",
                                                                               flat=True))
    assert {"integration_key.created", "integration_key.revoked"} <= actions


def test_keys_are_hashed_at_rest(personas):
    key, raw = create_integration_key(personas.harbor_api)
    row = IntegrationKey.objects.values().get(pk=key.pk)
    assert raw not in json.dumps(row, default=str)
    assert row["hint"] == raw[:12] and len(row["key_hash"]) == 64


def test_admins_manage_keys_through_the_api(personas, api):
    olivia = api(personas.olivia)
    url = f"/api/v1/inboxes/{personas.harbor_api.pk}/keys"
    created = olivia.post(url, json.dumps({"name": "Checkout"}), content_type="application/json")
    assert created.status_code == 201
    raw, key_id = created.json()["key"], created.json()["id"]
    assert raw.startswith("sdi_")
    # the list never shows the key again
    listed = olivia.get(url).json()
    assert [k["name"] for k in listed] == ["Checkout"] and raw not in json.dumps(listed)
    # rotate: a new raw key, the old one is revoked
    rotated = olivia.post(f"{url}/{key_id}/rotate")
    assert rotated.status_code == 201 and rotated.json()["key"] != raw
    assert _post(api(token=rotated.json()["key"]), personas.harbor_api.pk).status_code == 201
    # revoke
    assert olivia.delete(f"{url}/{rotated.json()['id']}").status_code == 204
    assert all(k["revoked_at"] for k in olivia.get(url).json())
    # agents may not manage keys; another account's admin gets a 404
    assert api(personas.ahmet).post(url, json.dumps({}), content_type="application/json"
                                    ).status_code == 403
    assert api(personas.bruno).get(url).status_code == 404
    # keys are for inboxes with an inbound endpoint (API and email: raw MIME), not the widget
    chat_keys = olivia.post(f"/api/v1/inboxes/{personas.harbor_chat.pk}/keys", "{}",
                            content_type="application/json")
    assert chat_keys.status_code == 400


@pytest.fixture
def olivia_browser(personas) -> Client:
    browser = Client()
    browser.force_login(personas.olivia.agent)
    return browser


def test_admins_manage_keys_in_settings_and_see_the_key_once(personas, olivia_browser):
    inbox = personas.harbor_api
    edit = reverse("settings:inbox_edit", args=[inbox.pk])
    response = olivia_browser.post(reverse("settings:inbox_key_create", args=[inbox.pk]),
                                   {"name": "Storefront"})
    assert response.status_code == 302
    first = olivia_browser.get(edit).content.decode()
    key = IntegrationKey.objects.get(inbox=inbox)
    shown = first.split('data-testid="integration-key">')[1].split("<")[0]
    assert shown.startswith("sdi_") and shown.startswith(key.hint)
    assert f"Bearer {shown}" in first  # a ready curl line
    assert shown not in olivia_browser.get(edit).content.decode()  # once only
    olivia_browser.post(reverse("settings:inbox_key_rotate", args=[inbox.pk, key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is not None
    newest = IntegrationKey.objects.get(inbox=inbox, revoked_at__isnull=True)
    olivia_browser.post(reverse("settings:inbox_key_revoke", args=[inbox.pk, newest.pk]))
    assert not IntegrationKey.objects.filter(inbox=inbox, revoked_at__isnull=True).exists()
    # another account's inbox is a 404
    other = reverse("settings:inbox_key_create", args=[personas.northwind_api.pk])
    assert olivia_browser.post(other, {"name": "x"}).status_code == 404


@pytest.mark.parametrize("field, value", [
    ("text", "nul\x00inside"), ("source_id", "cust\x00"), ("name", "A\x00"),
    ("email", "not-an-email"), ("message_id", "m\x00"),
])
def test_values_a_database_cannot_hold_are_a_422_and_store_nothing(personas, api, field, value):
    _, raw = create_integration_key(personas.harbor_api)
    response = _post(api(token=raw), personas.harbor_api.pk, {**BODY, field: value})
    assert response.status_code == 422, response.content
    assert not Message.objects.exists()
