"""The live ingest route answers exactly as the Ninja endpoint does.

Each story posts through a real uvicorn server (config.asgi: the live route in front of Django)
and the same request through Django's test client (Django + Ninja, the endpoint itself), on
the same test database, and compares status, body and headers: a new, a known and a duplicate
message, a bad and a revoked key, another account's inbox, invalid bodies, a refused message
and the rate limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.test import Client

from storedesk.connectors.actions import create_integration_key, revoke_integration_key
from storedesk.connectors.models import IntegrationKey
from storedesk.events.models import Event
from storedesk.inbox.models import Conversation, Message
from storedesk.testing.browser import AsgiServer
from storedesk.testing.windows import clear_of_window_edge

pytestmark = pytest.mark.django_db(transaction=True)

# Headers whose values differ per response by design.
PER_RESPONSE = {"content-security-policy", "content-length", "date", "server"}


@pytest.fixture
def server() -> Iterator[AsgiServer]:
    served = AsgiServer(env={"STOREDESK_API_RATE_LIMIT": "6000/m"})
    served.start()
    try:
        yield served
    finally:
        served.stop()


def _served(server: AsgiServer, inbox_id: int, raw: str, body: Any,
            headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        f"{server.base}/api/v1/inboxes/{inbox_id}/messages", content=content, timeout=30,
        headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json",
                 **(headers or {})},
    )


def _django(inbox_id: int, raw: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body)
    client = Client(headers={"Authorization": f"Bearer {raw}", **(headers or {})})
    return client.post(f"/api/v1/inboxes/{inbox_id}/messages", content,
                       content_type="application/json")


def _same_headers(served: httpx.Response, django: Any) -> None:
    ours = {k.lower(): v for k, v in served.headers.items() if k.lower() not in PER_RESPONSE}
    theirs = {k.lower(): v for k, v in django.items() if k.lower() not in PER_RESPONSE}
    assert ours == theirs
    assert "content-security-policy" in served.headers


def test_new_known_and_duplicate_messages_answer_and_store_as_the_endpoint(personas, server):
    # given Harbor's backend with an integration key of the API inbox
    inbox = personas.harbor_api
    _, raw = create_integration_key(inbox, name="Shop backend")
    new = {"source_id": "cust-1", "name": "Ayşe", "email": "ayse@example.com",
           "text": "Where is my order?", "message_id": "live-1"}
    # when a new shopper writes through the server, again, and the same message once more
    first = _served(server, inbox.pk, raw, new)
    known = _served(server, inbox.pk, raw, {**new, "text": "Any news?", "message_id": "live-2"})
    duplicate = _served(server, inbox.pk, raw, new)
    # then the answers are the endpoint's: 201, 201, then 200 with the first ids
    assert (first.status_code, known.status_code, duplicate.status_code) == (201, 201, 200)
    assert duplicate.json() == first.json()
    message = Message.objects.get(source_id="live-1")
    assert first.json() == {"conversation_id": message.conversation_id, "message_id": message.pk}
    assert known.json()["conversation_id"] == message.conversation_id
    # and the rows and events are those of receive_message
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.message_count == 2
    assert conversation.contact.email == "ayse@example.com"
    kinds = list(Event.objects.filter(conversation=conversation).order_by("pk")
                 .values_list("kind", flat=True))
    assert kinds == ["conversation.opened", "message.received", "message.received"]
    # and the same request through Django gets the same status, body and headers
    via_django = _django(inbox.pk, raw, new)
    assert (via_django.status_code, via_django.json()) == (200, duplicate.json())
    _same_headers(duplicate, via_django)
    fresh = {**new, "message_id": "live-3"}
    created = _served(server, inbox.pk, raw, fresh, {"Accept-Language": "pl"})
    created_django = _django(inbox.pk, raw, {**new, "message_id": "live-4"},
                             {"Accept-Language": "pl"})
    assert created.status_code == created_django.status_code == 201
    _same_headers(created, created_django)
    assert created.headers["content-language"] == "pl"


def test_bad_revoked_and_foreign_keys_get_the_endpoints_errors(personas, server):
    harbor, northwind = personas.harbor_api, personas.northwind_api
    key, raw = create_integration_key(harbor, name="Shop backend")
    body = {"source_id": "cust-2", "text": "hello", "message_id": "k-1"}
    # an unknown key: 401
    unknown = _served(server, harbor.pk, "sdi_not-a-key", body)
    assert unknown.status_code == 401
    assert unknown.json() == _django(harbor.pk, "sdi_not-a-key", body).json()
    # the key on another account's inbox: 404, nothing stored
    foreign = _served(server, northwind.pk, raw, body)
    expected = _django(northwind.pk, raw, body)
    assert (foreign.status_code, foreign.json()) == (expected.status_code, expected.json())
    assert foreign.status_code == 404
    assert not Message.objects.exists()
    # a good key works, and once revoked it is refused at once
    assert _served(server, harbor.pk, raw, body).status_code == 201
    revoke_integration_key(IntegrationKey.objects.get(pk=key.pk))
    revoked = _served(server, harbor.pk, raw, {**body, "message_id": "k-2"})
    assert (revoked.status_code, revoked.json()) == (401, {"detail": "Unauthorized"})
    assert not Message.objects.filter(source_id="k-2").exists()


@pytest.mark.parametrize("body", [
    b"{not json",
    {"source_id": "cust-3"},
    {"source_id": "", "text": "hi"},
    {"source_id": "cust-3", "text": "hi", "email": "not-an-address"},
    {"source_id": "cust-3", "text": "nul \u0000 inside"},
    {"source_id": "cust-3", "text": "   "},
    [1, 2],
])
def test_invalid_and_refused_bodies_get_the_endpoints_errors(personas, server, body):
    inbox = personas.harbor_api
    _, raw = create_integration_key(inbox, name="Shop backend")
    served = _served(server, inbox.pk, raw, body)
    expected = _django(inbox.pk, raw, body)
    assert served.status_code == expected.status_code
    assert served.status_code in (400, 422)
    assert served.json() == expected.json()
    _same_headers(served, expected)
    assert not Message.objects.exists()


def test_the_rate_limit_counts_every_request_once(personas):
    # given a server allowing 5 requests an hour per key (the counter's window is fixed, so the
    # test starts well clear of its edge: the ninth request must count in the same window)
    inbox = personas.harbor_api
    _, raw = create_integration_key(inbox, name="Shop backend")
    limited = AsgiServer(env={"STOREDESK_API_RATE_LIMIT": "5/h"})
    clear_of_window_edge(3600, margin=120)
    limited.start()
    try:
        bodies = [{"source_id": f"cust-{i}", "text": "hi", "message_id": f"r-{i}"}
                  for i in range(8)]
        # when eight arrive at once (one of them invalid: it counts too, as in Ninja)
        bodies[3] = {"source_id": "cust-3"}
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda b: _served(limited, inbox.pk, raw, b), bodies))
        # then five were let through (four stored, one 422) and three got Django's 429
        codes = sorted(a.status_code for a in answers)
        assert codes.count(429) == 3, codes
        assert Message.objects.count() == codes.count(201)
        assert codes.count(201) + codes.count(422) == 5
        too_many = next(a for a in answers if a.status_code == 429)
        assert too_many.json() == {"detail": "Too many requests."}
        # and one more is refused as well
        assert _served(limited, inbox.pk, raw, bodies[0]).status_code == 429
    finally:
        limited.stop()


def test_concurrent_requests_each_get_their_own_answer(personas, server):
    # given 40 requests at once: new shoppers, a repeated message id, and one refused message
    inbox = personas.harbor_api
    _, raw = create_integration_key(inbox, name="Shop backend")
    bodies: list[dict[str, str]] = [
        {"source_id": f"cust-{i % 7}", "text": f"message {i}", "message_id": f"c-{i}"}
        for i in range(36)
    ]
    bodies += [{"source_id": "cust-1", "text": "again", "message_id": "c-0"}] * 3
    bodies.append({"source_id": "cust-2", "text": " ", "message_id": "c-empty"})
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda b: _served(server, inbox.pk, raw, b), bodies))
    # then every good message is stored once, in one conversation per shopper
    assert [a.status_code for a in answers[36:39]].count(200) >= 2
    assert answers[39].status_code == 400
    assert answers[39].json() == {"detail": "The message is empty."}
    for body, answer in zip(bodies[:36], answers[:36], strict=True):
        message = Message.objects.get(source_id=body["message_id"])
        assert answer.json() == {"conversation_id": message.conversation_id,
                                 "message_id": message.pk}
    assert Message.objects.count() == 36
    assert Conversation.objects.filter(inbox=inbox).count() == 7
    for conversation in Conversation.objects.filter(inbox=inbox):
        assert conversation.message_count == conversation.messages.count()
