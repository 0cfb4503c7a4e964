"""Deliveries survive dead workers: real Huey consumers in subprocesses, on the test's own DB.

The worker processes use the same database as the test (a file for SQLite, the test database on
PostgreSQL) and the same queue (the per-run SQLite queue file, or Redis when REDIS_URL is set).
"""

from __future__ import annotations

import signal
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, receive_message, send_reply
from storedesk.inbox.models import Delivery, Inbox, Message
from storedesk.outbox import engine
from storedesk.outbox.engine import Outcome
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.testing.queue_workers import WAIT_SECONDS
from storedesk.testing.queue_workers import wait_for as _wait_for

# The worker subprocesses' attempt deadline and lease margin: long enough that the kill, not the
# deadline, ends worker one's request; short enough that the test waits only seconds for the
# lease to run out.
WORKER_ENV = {"STOREDESK_DELIVERY_DEADLINE": "5", "STOREDESK_DELIVERY_LEASE_MARGIN": "1"}

def _point_inbox_at(inbox: Inbox, url: str) -> None:
    Inbox.objects.filter(pk=inbox.pk).update(config={"webhook_url": url})


def _status(message: Message) -> tuple[str, str, int]:
    row = Delivery.objects.get(message=message)
    message.refresh_from_db()
    return row.status, message.delivery_status, row.attempts


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_delivery_is_taken_over_and_applied_once(
    personas, settings, start_worker
):
    settings.OUTBOX_ATTEMPT_DEADLINE_SECONDS = 5
    settings.OUTBOX_LEASE_MARGIN_SECONDS = 1
    with FakeWebhookReceiver(secret=personas.harbor_api.signing_secret()) as receiver:
        # given the store's endpoint applies the first request, then hangs without answering
        receiver.stall_first_request()
        _point_inbox_at(personas.harbor_api, receiver.url)
        conversation = receive_message(
            personas.harbor_api, InboundMessage(sender_id="shopper-jan", text="Gdzie paczka?")
        ).conversation
        first_worker = start_worker("worker-1", env=WORKER_ENV)
        # when Ahmet replies, worker one picks the delivery up and is killed mid-request
        message = send_reply(conversation, Actor.agent(personas.ahmet), "Paczka jest w drodze.")
        assert receiver.stall_started.wait(WAIT_SECONDS), "worker one never called the endpoint"
        first_worker.send_signal(signal.SIGKILL)
        first_worker.wait()
        assert _status(message) == ("sending", "pending", 1)
        receiver.release_stall.set()
        # and after its lease ran out a second worker's sweep takes over
        row = Delivery.objects.get(message=message)
        _wait_for(lambda: timezone.now() > row.lease_until, "the lease to expire")
        start_worker("worker-2", env=WORKER_ENV)
        from storedesk.outbox.tasks import sweep_outbox

        sweep_outbox()
        _wait_for(lambda: _status(message)[0] != "sending", "the second worker to deliver")
        # then there is one delivery, sent on the second attempt, and the store applied it once
        assert Delivery.objects.filter(message=message).count() == 1
        assert _status(message) == ("sent", "sent", 2)
        assert receiver.seen_ids == [str(row.pk), str(row.pk)]
        assert receiver.applied_ids == [str(row.pk)]


@pytest.mark.django_db(transaction=True)
def test_racing_claims_on_one_row_have_exactly_one_winner(personas):
    # given one queued delivery
    conversation = receive_message(
        personas.harbor_api, InboundMessage(sender_id="shopper-ayse", text="Merhaba")
    ).conversation
    message = send_reply(conversation, Actor.agent(personas.ahmet), "Merhaba Ayşe")
    row = Delivery.objects.get(message=message)
    # (no webhook URL: the immediate-mode attempt failed; make it due again for the race)
    Delivery.objects.filter(pk=row.pk).update(
        status="queued", next_attempt_at=timezone.now(), attempts=0
    )
    contenders = 8
    barrier = threading.Barrier(contenders)
    results: list[bool] = []
    lock = threading.Lock()

    def contender() -> None:
        try:
            barrier.wait()
            won = engine.claim(Delivery, row.pk) is not None
            with lock:
                results.append(won)
        finally:
            close_old_connections()
            connection.close()

    # when eight workers claim it at the same moment
    threads = [threading.Thread(target=contender) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one holds it
    assert sorted(results) == [False] * (contenders - 1) + [True]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sending", 1)


@pytest.mark.django_db
def test_a_late_worker_cannot_overwrite_the_outcome_of_the_one_that_took_over(personas, settings):
    # given worker A claimed a delivery and stalled past its lease
    settings.OUTBOX_ATTEMPT_DEADLINE_SECONDS = 0
    settings.OUTBOX_LEASE_MARGIN_SECONDS = 0
    conversation = receive_message(
        personas.harbor_api, InboundMessage(sender_id="shopper-lina", text="Hi")
    ).conversation
    message = send_reply(conversation, Actor.agent(personas.ahmet), "Hello")
    row = Delivery.objects.get(message=message)
    lease_a = engine.claim(Delivery, row.pk)
    assert lease_a is not None
    # when worker B takes the row over (A's lease expired) and succeeds
    settings.OUTBOX_ATTEMPT_DEADLINE_SECONDS = 60
    lease_b = engine.claim(Delivery, row.pk)
    assert lease_b is not None and lease_b != lease_a
    # then A's late failure report is dropped, and B's success stands
    assert engine.settle(Delivery, row.pk, lease_a, Outcome(error="timeout")).status == "superseded"
    assert engine.settle(Delivery, row.pk, lease_b, Outcome()).status == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
