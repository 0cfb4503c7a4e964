"""Replies on an API inbox reach the store's webhook, signed, once, even through failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, receive_message, retry_delivery, send_reply
from storedesk.inbox.models import Delivery, Inbox, Message
from storedesk.outbox import engine, runner
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.webhooks.signing import verify


@pytest.fixture
def receiver(personas, settings) -> Iterator[FakeWebhookReceiver]:
    """The store's webhook endpoint, on loopback (allowed for this test only)."""
    settings.FETCH_ALLOW_PRIVATE = True
    with FakeWebhookReceiver(secret=personas.harbor_api.signing_secret()) as fake:
        _point_inbox_at(personas.harbor_api, fake.url)
        yield fake


def _point_inbox_at(inbox: Inbox, url: str | None) -> None:
    config = {"webhook_url": url} if url else {}
    Inbox.objects.filter(pk=inbox.pk).update(config=config)
    inbox.refresh_from_db()


def _ayse_writes(personas):
    return receive_message(
        personas.harbor_api,
        InboundMessage(
            sender_id="shopper-ayse",
            text="Siparişim nerede?",
            name="Ayşe Kaya",
            email="ayse@example.com",
            source_id="api-msg-1",
        ),
    ).conversation


def _reply(personas, conversation, capture, text="Your parcel left our warehouse today."):
    with capture(execute=True):
        return send_reply(
            conversation,
            Actor.agent(personas.ahmet),
            text,
            html="<p>Your parcel left <b>today</b>.</p>",
        )


def _due_now(message: Message) -> None:
    """Move the clock forward for this delivery: its next attempt is due now."""
    Delivery.objects.filter(message=message).update(next_attempt_at=timezone.now())


def test_reply_arrives_signed_and_the_message_is_sent(
    personas, receiver, django_capture_on_commit_callbacks
):
    # given Ayşe wrote through the store's API inbox
    conversation = _ayse_writes(personas)
    # when Ahmet replies
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then the store's endpoint got one request, verifiable with the inbox secret
    [request] = receiver.requests
    assert request.verified
    assert verify(personas.harbor_api.signing_secret(), request.headers, request.body)
    assert not verify("not-the-inbox-secret", request.headers, request.body)
    body = request.json()
    row = Delivery.objects.get(message=message)
    assert request.delivery_id == str(row.pk) == str(body["delivery_id"])
    assert body["event"] == "message.created"
    assert body["inbox_id"] == personas.harbor_api.pk
    assert body["conversation"] == {"id": conversation.pk, "display_id": conversation.display_id}
    assert body["contact"]["source_id"] == "shopper-ayse"
    assert body["contact"]["name"] == "Ayşe Kaya"
    assert body["contact"]["email"] == "ayse@example.com"
    assert body["message"]["text"] == "Your parcel left our warehouse today."
    assert body["message"]["html"] == "<p>Your parcel left <b>today</b>.</p>"
    assert body["message"]["sender_type"] == "agent"
    assert body["message"]["private"] is False
    assert body["message"]["attachments"] == []
    # and the message shows as sent
    message.refresh_from_db()
    row.refresh_from_db()
    assert message.delivery_status == "sent"
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")


def test_a_receiver_with_another_secret_rejects_it_and_the_agent_sees_why(
    personas, receiver, django_capture_on_commit_callbacks
):
    # given the store configured an old secret on its side
    receiver.set_secret("an-old-secret")
    conversation = _ayse_writes(personas)
    # when Ahmet replies
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then the receiver could not verify it and refused; that will not fix itself
    [request] = receiver.requests
    assert not request.verified
    assert receiver.applied_ids == []
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "HTTP 401" in message.delivery_error


def test_server_errors_are_retried_with_backoff_and_applied_once(
    personas, receiver, django_capture_on_commit_callbacks
):
    # given the store's endpoint fails twice before it recovers
    receiver.fail_next(2, status=500)
    conversation = _ayse_writes(personas)
    # when Ahmet replies, the first attempt fails and a retry is planned with backoff
    before = timezone.now()
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    row = Delivery.objects.get(message=message)
    message.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)
    assert "HTTP 500" in row.last_error
    assert message.delivery_status == "pending"
    assert row.next_attempt_at >= before + timedelta(seconds=10)
    # a worker looking before the retry is due leaves it alone
    assert runner.run("message", row.pk) == "skipped"
    # when time passes, the second attempt fails too and waits longer
    _due_now(message)
    second = timezone.now()
    assert runner.run("message", row.pk) == "queued"
    row.refresh_from_db()
    assert row.next_attempt_at >= second + timedelta(seconds=40)
    # and the third attempt goes through
    _due_now(message)
    assert runner.run("message", row.pk) == "sent"
    # then: three attempts, the same delivery id every time, applied once
    row.refresh_from_db()
    message.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert message.delivery_status == "sent"
    assert receiver.seen_ids == [str(row.pk)] * 3
    assert receiver.applied_ids == [str(row.pk)]
    # and nothing more happens when a stray task runs again
    assert runner.run("message", row.pk) == "skipped"
    assert len(receiver.requests) == 3


def test_gone_endpoint_fails_permanently_and_retry_sends_after_the_fix(
    personas, receiver, django_capture_on_commit_callbacks
):
    # given the store's endpoint answers 410 Gone
    receiver.fail_next(1, status=410)
    conversation = _ayse_writes(personas)
    # when Ahmet replies
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then there is no retry: the message failed and says why
    message.refresh_from_db()
    row = Delivery.objects.get(message=message)
    assert (row.status, row.attempts) == ("failed", 1)
    assert message.delivery_status == "failed"
    assert "HTTP 410" in message.delivery_error
    # when the store fixes its endpoint and Ahmet presses retry
    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(message, Actor.agent(personas.ahmet))
    # then it goes out and is applied once
    message.refresh_from_db()
    row.refresh_from_db()
    assert message.delivery_status == "sent"
    assert message.delivery_error == ""
    assert (row.status, row.attempts) == ("sent", 1)
    assert receiver.seen_ids == [str(row.pk)] * 2
    assert receiver.applied_ids == [str(row.pk)]


def test_missing_webhook_url_fails_with_a_clear_message_until_configured(
    personas, receiver, django_capture_on_commit_callbacks
):
    # given an API inbox nobody configured yet
    _point_inbox_at(personas.harbor_api, None)
    conversation = _ayse_writes(personas)
    # when Ahmet replies
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then it fails at once, telling the agent what to fix
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "no webhook URL" in message.delivery_error
    assert receiver.requests == []
    # when the URL is set and the agent retries, it is delivered
    _point_inbox_at(personas.harbor_api, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(message, Actor.agent(personas.ahmet))
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert len(receiver.applied_ids) == 1


def test_webhook_url_inside_our_network_is_refused_when_private_is_not_allowed(
    personas, receiver, settings, django_capture_on_commit_callbacks
):
    # given a production setting: no private targets
    settings.FETCH_ALLOW_PRIVATE = False
    conversation = _ayse_writes(personas)
    # when a reply is sent to a loopback webhook URL
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then nothing is sent and the message failed with the reason
    message.refresh_from_db()
    assert receiver.requests == []
    assert message.delivery_status == "failed"
    assert "loopback" in message.delivery_error


def test_too_many_attempts_end_in_failure(
    personas, receiver, settings, django_capture_on_commit_callbacks
):
    # given an endpoint that keeps failing and a limit of two attempts
    settings.DELIVERY_MAX_ATTEMPTS = 2
    receiver.fail_next(5, status=503)
    conversation = _ayse_writes(personas)
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # when the second attempt fails too
    _due_now(message)
    row = Delivery.objects.get(message=message)
    assert runner.run("message", row.pk) == "failed"
    # then the message failed with the last error and no retry is planned
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "HTTP 503" in message.delivery_error
    assert engine.due_ids(Delivery) == []


def test_other_accounts_inbox_signs_with_its_own_secret(
    personas, settings, django_capture_on_commit_callbacks
):
    # given Northwind's API inbox has its own endpoint and secret
    settings.FETCH_ALLOW_PRIVATE = True
    with FakeWebhookReceiver(secret=personas.northwind_api.signing_secret()) as northwind_hook:
        _point_inbox_at(personas.northwind_api, northwind_hook.url)
        conversation = receive_message(
            personas.northwind_api, InboundMessage(sender_id="n-1", text="Hello")
        ).conversation
        # when Bruno replies
        with django_capture_on_commit_callbacks(execute=True):
            send_reply(conversation, Actor.agent(personas.bruno), "Hi from Northwind")
        # then it verifies only with Northwind's secret, never Harbor's
        [request] = northwind_hook.requests
        assert verify(personas.northwind_api.signing_secret(), request.headers, request.body)
        assert not verify(personas.harbor_api.signing_secret(), request.headers, request.body)


def test_the_sweep_sends_a_delivery_whose_task_was_lost(personas, receiver):
    # given a reply whose queue task never ran (the enqueue was lost with a crashed process:
    # outside django_capture_on_commit_callbacks the on-commit enqueue does not happen)
    conversation = _ayse_writes(personas)
    message = send_reply(conversation, Actor.agent(personas.ahmet), "Still on it!")
    assert receiver.requests == []
    # when the periodic sweep runs
    from storedesk.outbox.tasks import sweep_outbox as sweep_deliveries

    assert sweep_deliveries.call_local() == 1
    # then the reply went out once and the message is sent
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert len(receiver.applied_ids) == 1
    assert sweep_deliveries.call_local() == 0


def test_attachments_are_described_in_the_payload(
    personas, receiver, django_capture_on_commit_callbacks
):
    from storedesk.inbox.storage import IncomingFile

    conversation = _ayse_writes(personas)
    with django_capture_on_commit_callbacks(execute=True):
        message = send_reply(
            conversation,
            Actor.agent(personas.ahmet),
            "Here is your label",
            attachments=[IncomingFile("return-label.pdf", b"%PDF-1.4 label", "application/pdf")],
        )
    [request] = receiver.requests
    [described] = request.json()["message"]["attachments"]
    attachment = message.attachments.get()
    assert described == {
        "id": attachment.pk,
        "filename": "return-label.pdf",
        "content_type": "application/pdf",
        "size": 14,
        "sha256": attachment.sha256,
    }


def test_one_delivery_costs_a_fixed_number_of_queries(
    personas, receiver, django_assert_max_num_queries
):
    # given a queued reply (its task not yet run)
    conversation = _ayse_writes(personas)
    message = send_reply(conversation, Actor.agent(personas.ahmet), "On its way")
    row = Delivery.objects.get(message=message)
    # when a worker delivers it, the database work stays small and flat: load, claim,
    # attachments, then lock + save + message status + reload for the realtime event + the
    # message.sent timeline row (+ the savepoint pair the test transaction adds)
    with django_assert_max_num_queries(10):
        assert runner.run("message", row.pk) == "sent"


def test_a_timeout_after_the_store_applied_it_is_retried_and_deduplicated(
    personas, receiver, settings, django_capture_on_commit_callbacks
):
    # given the store applies the first request but answers too late
    settings.FETCH_TIMEOUT_SECONDS = 0.5
    receiver.stall_first_request()
    conversation = _ayse_writes(personas)
    # when Ahmet replies, the first attempt times out and is planned again
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    row = Delivery.objects.get(message=message)
    assert row.status == "queued"
    assert "did not answer within 0.5 s" in row.last_error
    receiver.release_stall.set()
    # and the retry (with a patient timeout again) gets through
    settings.FETCH_TIMEOUT_SECONDS = 10
    _due_now(message)
    assert runner.run("message", row.pk) == "sent"
    # then the store saw the delivery twice and applied it once
    assert receiver.seen_ids == [str(row.pk)] * 2
    assert receiver.applied_ids == [str(row.pk)]
    assert receiver.requests[1].json()["delivery_id"] == row.pk
