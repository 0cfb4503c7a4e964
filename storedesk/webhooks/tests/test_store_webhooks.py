"""A store developer subscribes to events and receives them signed, once, through failures.

Real parts: the API with bearer tokens, the events dispatcher, the outbox, safe_fetch, and a
real HTTP receiver on 127.0.0.1 that verifies signatures and applies each delivery once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.outbox import engine, runner
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.webhooks.models import WebhookAttempt, WebhookDelivery
from storedesk.webhooks.subscriber import on_event

pytestmark = pytest.mark.django_db


def verify_like_the_docs(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Python snippet of docs/webhooks.md, verbatim in logic (not our signing module)."""
    timestamp = headers["x-storedesk-timestamp"]
    delivery_id = headers["x-storedesk-delivery"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    signed = f"{timestamp}.{delivery_id}.".encode() + body
    expected = "v2=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(
        hmac.compare_digest(expected, candidate.strip())
        for candidate in headers["x-storedesk-signature"].split(",")
    )


@pytest.fixture
def receiver(settings) -> Iterator[FakeWebhookReceiver]:
    settings.FETCH_ALLOW_PRIVATE = True  # the store's endpoint runs on loopback in this test
    with FakeWebhookReceiver(secret="not-yet-known", path="/storedesk/events") as fake:
        yield fake


def _subscribe(api, member, url: str, events: list[str]) -> dict:
    answer = api(member).post(
        "/api/v1/webhooks", {"url": url, "events": events}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def _shopper_writes(personas, capture, text: str = "Where is my parcel?", sid: str = "m-1"):
    with capture(execute=True):
        return receive_message(
            personas.harbor_api,
            InboundMessage(sender_id="shopper-ayse", text=text, source_id=sid),
        )


def test_a_subscription_receives_its_events_signed_and_verifiable(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    # given Olivia subscribes her store's endpoint to received messages
    created = _subscribe(api, personas.olivia, receiver.url, ["message.received"])
    assert created["secret"].startswith("whsec_")
    receiver.set_secret(created["secret"])
    # the secret is shown only in that answer
    shown = api(personas.olivia).get(f"/api/v1/webhooks/{created['id']}").json()
    assert "secret" not in shown and shown["events"] == ["message.received"]
    # when a shopper writes
    received = _shopper_writes(personas, django_capture_on_commit_callbacks)
    # then the endpoint got one request, which verifies with the documented recipe
    [request] = receiver.requests
    assert request.verified and request.status == 200
    assert verify_like_the_docs(created["secret"], request.headers, request.body)
    body = request.json()
    delivery = WebhookDelivery.objects.get(subscription_id=created["id"])
    assert body["delivery_id"] == delivery.pk == int(request.delivery_id)
    assert body["event"] == "message.received"
    assert body["message"]["text"] == "Where is my parcel?"
    assert body["conversation"]["display_id"] == received.conversation.display_id
    assert request.headers["x-storedesk-event"] == "message.received"
    # and the delivery and its attempt are visible to her
    listed = api(personas.olivia).get(f"/api/v1/webhooks/{created['id']}/deliveries").json()
    assert [(d["status"], d["attempts"], d["response_status"]) for d in listed] == [
        ("sent", 1, 200)
    ]
    assert listed[0]["attempts_log"][0]["status_code"] == 200


def test_a_captured_request_replayed_under_a_new_delivery_id_is_refused(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    created = _subscribe(api, personas.olivia, receiver.url, ["message.received"])
    receiver.set_secret(created["secret"])
    _shopper_writes(personas, django_capture_on_commit_callbacks)
    [captured] = receiver.requests
    # when an attacker resends the captured request with a fresh delivery id
    headers = {**captured.headers, "x-storedesk-delivery": str(int(captured.delivery_id) + 1)}
    replay = httpx.post(receiver.url, content=captured.body, headers=headers)
    # then the signature does not verify and nothing is applied a second time
    assert replay.status_code == 401
    assert not verify_like_the_docs(created["secret"], headers, captured.body)
    assert receiver.applied_ids == [captured.delivery_id]


def test_failures_are_retried_with_backoff_and_redelivery_sends_the_same_id(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    created = _subscribe(api, personas.olivia, receiver.url, ["message.received"])
    receiver.set_secret(created["secret"])
    # given the endpoint fails twice
    receiver.fail_next(2, status=503)
    before = timezone.now()
    _shopper_writes(personas, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(subscription_id=created["id"])
    # then the first failure plans a retry after the backoff
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.next_attempt_at >= before + timedelta(seconds=10)
    assert runner.run("webhook", delivery.pk) == "skipped"  # not due yet
    # when the retries come due, the second fails and waits longer, the third goes through
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    second = timezone.now()
    assert runner.run("webhook", delivery.pk) == "queued"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= second + timedelta(seconds=40)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert runner.run("webhook", delivery.pk) == "sent"
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code, a.outcome) for a in log] == [
        (1, 503, "queued"), (2, 503, "queued"), (3, 200, "sent")
    ]
    # when Olivia redelivers it
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(personas.olivia).post(
            f"/api/v1/webhooks/{created['id']}/deliveries/{delivery.pk}/redeliver"
        )
    assert answer.status_code == 202
    # then the endpoint saw the same delivery id again and applied it once
    assert receiver.seen_ids == [str(delivery.pk)] * 4
    assert receiver.applied_ids == [str(delivery.pk)]
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 4


def test_the_subscriber_applied_twice_delivers_once(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    created = _subscribe(api, personas.olivia, receiver.url, ["message.received"])
    receiver.set_secret(created["secret"])
    _shopper_writes(personas, django_capture_on_commit_callbacks)
    event = Event.objects.get(kind="message.received")
    # when the subscriber runs again for the same event (a sweep, a retry)
    with django_capture_on_commit_callbacks(execute=True):
        on_event(event.pk)
        on_event(event.pk)
    # then there is still one delivery, sent once
    assert WebhookDelivery.objects.filter(event_id=event.pk).count() == 1
    assert len(receiver.requests) == 1


def test_only_chosen_kinds_and_active_subscriptions_get_deliveries(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    created = _subscribe(api, personas.olivia, receiver.url, ["conversation.assigned"])
    _shopper_writes(personas, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 0
    # when she switches to message.received and pauses the webhook
    client = api(personas.olivia)
    patched = client.patch(
        f"/api/v1/webhooks/{created['id']}",
        {"events": ["message.received"], "is_active": False},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    _shopper_writes(personas, django_capture_on_commit_callbacks, "Hello?", "m-2")
    assert WebhookDelivery.objects.count() == 0
    # and null is not a value
    nulled = client.patch(f"/api/v1/webhooks/{created['id']}", {"url": None},
                          content_type="application/json")
    assert nulled.status_code in (400, 422)


def test_rotating_the_secret_signs_with_both_for_a_while(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    created = _subscribe(api, personas.olivia, receiver.url, ["message.received"])
    rotated = api(personas.olivia).post(f"/api/v1/webhooks/{created['id']}/rotate-secret")
    assert rotated.status_code == 201
    new_secret = rotated.json()["secret"]
    assert new_secret != created["secret"]
    receiver.set_secret(new_secret)
    _shopper_writes(personas, django_capture_on_commit_callbacks)
    [request] = receiver.requests
    assert verify_like_the_docs(new_secret, request.headers, request.body)
    assert verify_like_the_docs(created["secret"], request.headers, request.body)


def test_bad_input_is_refused_with_a_clear_message(personas, api):
    client = api(personas.olivia)
    for body, fragment in [
        ({"url": "ftp://shop.example/x", "events": ["message.received"]}, "https://"),
        ({"url": "https://shop.example/x", "events": ["message.exploded"]}, "Unknown event"),
        ({"url": "https://shop.example/x", "events": []}, ""),
    ]:
        answer = client.post("/api/v1/webhooks", body, content_type="application/json")
        assert answer.status_code in (400, 422), answer.content
        assert fragment in json.dumps(answer.json())


def test_another_accounts_webhook_is_a_404_and_agents_get_403(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    created = _subscribe(api, personas.olivia, receiver.url, ["message.received"])
    receiver.set_secret(created["secret"])
    _shopper_writes(personas, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    base = f"/api/v1/webhooks/{created['id']}"
    bruno = api(personas.bruno)
    # Bruno (admin of Northwind) sees none of Harbor's webhooks
    assert bruno.get("/api/v1/webhooks").json() == []
    assert bruno.get(base).status_code == 404
    assert bruno.patch(base, {"is_active": False}, content_type="application/json"
                       ).status_code == 404
    assert bruno.get(f"{base}/deliveries").status_code == 404
    assert bruno.post(f"{base}/deliveries/{delivery.pk}/redeliver").status_code == 404
    assert bruno.post(f"{base}/rotate-secret").status_code == 404
    assert bruno.delete(base).status_code == 404
    # Ahmet, an agent of Harbor, may not manage them
    ahmet = api(personas.ahmet)
    assert ahmet.get("/api/v1/webhooks").status_code == 403
    assert ahmet.post("/api/v1/webhooks", {"url": receiver.url, "events": ["note.added"]},
                      content_type="application/json").status_code == 403
    # and Olivia's webhook is untouched
    assert api(personas.olivia).get(base).json()["is_active"] is True
    assert api(personas.olivia).delete(base).status_code == 204
    assert api(personas.olivia).get(base).status_code == 404


def test_private_receivers_are_refused_unless_allowed(
    personas, api, receiver, settings, django_capture_on_commit_callbacks
):
    created = _subscribe(api, personas.olivia, receiver.url, ["message.received"])
    # given private addresses are not allowed (the default)
    settings.FETCH_ALLOW_PRIVATE = False
    _shopper_writes(personas, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(subscription_id=created["id"])
    # then the delivery fails at once, saying why, and nothing reached the endpoint
    assert delivery.status == "failed"
    assert "loopback" in delivery.last_error
    assert receiver.requests == []
    assert engine.due_ids(WebhookDelivery) == []
