"""POST /api/v1/inboxes/{id}/messages/batch: Harbor's backend flushes a queue of shoppers'
messages in one request; good and bad items side by side, repeats, old times, tenancy."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from storedesk.connectors.actions import create_integration_key
from storedesk.connectors.auth import AGENT_TOKEN_REFUSED
from storedesk.events.models import Event, EventReceipt
from storedesk.events.tests.handlers import HANDLER
from storedesk.inbox.models import Conversation, Message

URL = "/api/v1/inboxes/{}/messages/batch"


def _post(client, inbox_id: int, body: dict):
    return client.post(URL.format(inbox_id), json.dumps(body), content_type="application/json")


@pytest.fixture
def backend(personas, api):
    _, raw = create_integration_key(personas.harbor_api, name="Shop backend")
    return api(token=raw)


def test_mixed_good_and_bad_items_get_one_result_each_in_order(personas, backend):
    # given a batch with two good messages, a blank one, one without a sender and a repeat
    body = {"messages": [
        {"source_id": "cust-1", "name": "Ayşe", "email": "ayse@example.net",
         "text": "Where is my order?", "message_id": "b-1"},
        {"source_id": "cust-2", "text": "   ", "message_id": "b-2"},
        {"source_id": "  ", "text": "who am I", "message_id": "b-3"},
        {"source_id": "cust-1", "text": "Hello again", "message_id": "b-4"},
        {"source_id": "cust-1", "text": "Where is my order?", "message_id": "b-1"},
    ]}
    # when it is posted
    response = _post(backend, personas.harbor_api.pk, body)
    # then every item has its result, in order
    assert response.status_code == 200
    answer = response.json()
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["created", "error", "error", "created", "duplicate"]
    assert [r["index"] for r in answer["results"]] == [0, 1, 2, 3, 4]
    assert answer["results"][1]["error"] == "The message is empty."
    assert answer["results"][2]["error"] == "The sender id is required."
    assert (answer["created"], answer["duplicates"], answer["errors"]) == (2, 1, 2)
    first, _, _, second, repeat = answer["results"]
    assert first["conversation_id"] == second["conversation_id"] == repeat["conversation_id"]
    assert repeat["message_id"] == first["message_id"]
    assert Message.objects.filter(inbox=personas.harbor_api).count() == 2
    # and posting the same batch again stores nothing new, with the same ids
    again = _post(backend, personas.harbor_api.pk, body).json()
    assert [r["status"] for r in again["results"]] == [
        "duplicate", "error", "error", "duplicate", "duplicate"]
    assert again["results"][3]["message_id"] == second["message_id"]
    assert Message.objects.filter(inbox=personas.harbor_api).count() == 2


def test_original_times_are_kept(personas, backend):
    at = "2024-03-01T09:30:00+01:00"
    answer = _post(backend, personas.harbor_api.pk, {"messages": [
        {"source_id": "cust-9", "text": "Sent while your API was down", "message_id": "t-1",
         "created_at": at},
    ]}).json()
    message = Message.objects.get(pk=answer["results"][0]["message_id"])
    expected = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    assert message.created_at == expected
    conversation = message.conversation
    assert conversation.created_at == expected
    assert conversation.last_message_at == expected
    kinds = dict(Event.objects.filter(conversation=conversation).values_list("kind", "created_at"))
    assert kinds == {"conversation.opened": expected, "message.received": expected}


def test_a_history_batch_reaches_no_subscriber(personas, backend, settings,
                                               django_capture_on_commit_callbacks):
    # given a subscriber on message.received (as the assistant has)
    settings.EVENT_SUBSCRIBERS = {"message.received": [HANDLER]}
    # when a backfill of old messages is posted as history
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = _post(backend, personas.harbor_api.pk, {"history": True, "messages": [
            {"source_id": "cust-5", "text": "An old question", "message_id": "h-1",
             "created_at": "2021-05-05T10:00:00Z"},
        ]}).json()
    assert callbacks == []  # not even a realtime push
    assert answer["created"] == 1
    # then its events are written already dispatched and nothing ran
    events = Event.objects.filter(account=personas.harbor)
    assert events.count() == 2
    assert not events.filter(dispatched_at__isnull=True).exists()
    assert not EventReceipt.objects.exists()
    # while a live batch is dispatched to the subscriber as usual
    with django_capture_on_commit_callbacks(execute=True):
        _post(backend, personas.harbor_api.pk, {"messages": [
            {"source_id": "cust-5", "text": "A new question", "message_id": "h-2"}]})
    assert EventReceipt.objects.filter(handler=HANDLER).count() == 1
    assert Message.objects.filter(inbox=personas.harbor_api, private=True).count() == 1


def test_tenancy_and_auth_as_the_single_endpoint(personas, api, backend):
    body = {"messages": [{"source_id": "c", "text": "hi", "message_id": "x-1"}]}
    # an agent's own token is refused
    response = _post(api(personas.ahmet), personas.harbor_api.pk, body)
    assert response.status_code == 403
    assert response.json() == {"detail": AGENT_TOKEN_REFUSED}
    # another account's admin gets a 404 for Harbor's inbox, and Harbor's key for Northwind's
    assert _post(api(personas.bruno), personas.harbor_api.pk, body).status_code == 404
    assert _post(backend, personas.northwind_api.pk, body).status_code == 404
    # an admin's token works
    assert _post(api(personas.olivia), personas.harbor_api.pk, body).status_code == 200
    assert not Message.objects.filter(inbox=personas.northwind_api).exists()


def test_batches_over_500_or_empty_are_refused_whole(personas, backend):
    many = [{"source_id": "c", "text": "hi", "message_id": f"m-{i}"} for i in range(501)]
    assert _post(backend, personas.harbor_api.pk, {"messages": many}).status_code == 422
    assert _post(backend, personas.harbor_api.pk, {"messages": []}).status_code == 422
    assert not Conversation.objects.filter(inbox=personas.harbor_api).exists()


def test_a_full_batch_of_500_goes_in(personas, backend):
    batch = [{"source_id": f"c-{i % 50}", "text": f"message {i}", "message_id": f"f-{i}"}
             for i in range(500)]
    response = _post(backend, personas.harbor_api.pk, {"messages": batch})
    assert response.json()["created"] == 500
    assert Message.objects.filter(inbox=personas.harbor_api).count() == 500
    assert Conversation.objects.filter(inbox=personas.harbor_api).count() == 50


def test_the_batch_is_in_the_openapi_schema(api, personas):
    schema = api(personas.olivia).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/inboxes/{inbox_id}/messages/batch"]["post"]
    assert "500" in operation["description"]
    assert "200" in operation["responses"]
