"""Every answer under /api/v1/ is JSON {"detail"} with a status the OpenAPI schema documents."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from config.api import api as ninja_api
from storedesk.contacts.models import Contact
from storedesk.inbox.models import Message

JSON = "application/json"


def test_unknown_routes_wrong_methods_and_crashes_answer_json(personas, api):
    client = api(personas.olivia)
    for url in ("/api/v1/nope", "/api/v1/conversations/1/nope", "/api/v1/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == JSON
        assert response.json() == {"detail": "Not Found"}
    # an id that is not an ASCII integer names the path parameter
    for url in ("/api/v1/conversations/²", "/api/v1/conversations/abc/messages"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.json()["detail"][0]["loc"] == ["path", "conversation_id"]
    wrong_method = client.delete("/api/v1/conversations")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}
    assert wrong_method["Allow"] == "GET"
    # the workspace keeps its HTML pages
    assert "text/html" in Client().get("/no-such-page/")["Content-Type"]


@pytest.mark.urls("tests.boom_urls")
def test_an_unexpected_error_is_a_json_500(personas):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert b"unexpected bug" not in response.content


def test_validation_errors_name_the_fields_the_client_sent(personas, api):
    client = api(personas.olivia)
    response = client.post(f"/api/v1/inboxes/{personas.harbor_api.pk}/messages",
                           json.dumps({"source_id": "c1", "text": 5}), content_type=JSON)
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["detail"]]
    assert locs == [["body", "text"]]
    assert "payload" not in response.content.decode()
    query = client.get("/api/v1/conversations", {"limit": 0})
    assert query.status_code == 422
    assert query.json()["detail"][0]["loc"] == ["query", "limit"]


def test_patch_with_null_for_a_field_that_cannot_be_null_is_refused(personas, api):
    contact = Contact.objects.create(account=personas.harbor, name="Ayşe", email="a@example.com")
    client = api(personas.olivia)
    for field in ("name", "email", "phone", "language", "attributes"):
        response = client.patch(f"/api/v1/contacts/{contact.pk}", json.dumps({field: None}),
                                content_type=JSON)
        assert response.status_code == 422, field
        assert response.json()["detail"][0]["loc"] == ["body", field]
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Ayşe", "a@example.com")
    # an empty string clears a text field
    cleared = client.patch(f"/api/v1/contacts/{contact.pk}", json.dumps({"email": ""}),
                           content_type=JSON)
    assert cleared.status_code == 200 and cleared.json()["email"] == ""


def test_an_invalid_email_on_inbound_is_refused_and_nothing_is_stored(personas, api):
    client = api(personas.olivia)
    for email in ("not-an-email", "a@b", "x" * 250 + "@example.com", "a\x00@example.com"):
        response = client.post(f"/api/v1/inboxes/{personas.harbor_api.pk}/messages",
                               json.dumps({"source_id": "c1", "text": "hi", "email": email}),
                               content_type=JSON)
        assert response.status_code == 422, email
        assert response.json()["detail"][0]["loc"] == ["body", "email"]
    assert not Message.objects.exists()
    assert not Contact.objects.filter(account=personas.harbor).exists()


def test_every_status_an_operation_answers_is_in_the_schema():
    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            documented = set(operation["responses"])
            assert {"400", "401", "403", "422", "429"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
            if method != "get":
                assert {"404", "409", "413"} <= documented, (method, path)
            error = operation["responses"]["401"]["content"][JSON]["schema"]
            assert error["required"] == ["detail"]
