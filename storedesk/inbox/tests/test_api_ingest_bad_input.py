"""Bad input to the inbound endpoint gets a clear JSON error and stores nothing."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from storedesk.inbox.models import Message

pytestmark = pytest.mark.django_db


def _post(client, inbox, body: str):
    return client.post(f"/api/v1/inboxes/{inbox.pk}/messages", data=body,
                       content_type="application/json")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ('{"source_id": "x", "text": ', 400, "Cannot parse request body"),
        # JSON, but not an object: never read as "no fields sent"
        ('[{"source_id": "x", "text": "hi"}]', 400, "Cannot parse request body"),
        ('-414692', 400, "Cannot parse request body"),
        ('{"source_id": "x", "text": "   "}', 400, "The message is empty."),
    ],
)
def test_malformed_or_empty_messages_are_refused_with_json(personas, api, body, status, detail):
    response = _post(api(personas.olivia), personas.harbor_api, body)
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert not Message.objects.exists()


def test_a_missing_field_names_the_field(personas, api):
    response = _post(api(personas.olivia), personas.harbor_api, '{"text": "hi"}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "source_id"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_413_json_and_stores_nothing(personas, api):
    # given a body one byte over the limit
    body = json.dumps({"source_id": "x", "text": "a" * 1000})
    # when it is posted
    response = _post(api(personas.olivia), personas.harbor_api, body)
    # then the API answers in its own error format and nothing is stored
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 1000 bytes."}
    assert not Message.objects.exists()
