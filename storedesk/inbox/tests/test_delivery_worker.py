"""Deliveries survive dead workers: real Huey consumers in subprocesses, on the test's own DB.

The worker processes use the same database as the test (a file for SQLite, the test database on
PostgreSQL) and the same queue (the per-run SQLite queue file, or Redis when REDIS_URL is set).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from storedesk.accounts.actor import Actor
from storedesk.inbox import delivery
from storedesk.inbox.actions import InboundMessage, receive_message, send_reply
from storedesk.inbox.models import Delivery, Inbox, Message
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver

# Upper bounds for waiting on other processes: liveness guards, not timing assertions.
WAIT_SECONDS = 90


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def real_queue() -> Iterator[str]:
    """A real queue of its own (a fresh name in the run's queue storage) that the test process
    enqueues into and the worker subprocesses consume; nothing else (another xdist worker, a
    demo) shares it."""
    name = f"{HUEY.name}-delivery-test-{secrets.token_hex(4)}"
    HUEY.immediate = False
    HUEY.storage = HUEY.storage_class(name, **HUEY.storage_kwargs)
    try:
        yield name
    finally:
        HUEY.storage.flush_queue()
        HUEY.storage.flush_schedule()
        HUEY.storage.flush_results()
        HUEY.immediate = True  # back to the in-memory storage of immediate mode


@pytest.fixture
def start_worker(
    tmp_path: Path, real_queue: str
) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "STOREDESK_DATA_DIR": str(settings.DATA_DIR),
            "STOREDESK_QUEUE_IMMEDIATE": "0",
            "STOREDESK_QUEUE_NAME": real_queue,
            "STOREDESK_FETCH_ALLOW_PRIVATE": "1",
            "STOREDESK_DELIVERY_LEASE_SECONDS": "2",
            "STOREDESK_FETCH_TIMEOUT": "60",  # the kill, not a timeout, ends worker one's request
        }
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [
                sys.executable,
                "manage.py",
                "run_huey",
                "--workers",
                "1",
                "--worker-type",
                "thread",
                "--no-periodic",
                "--delay",
                "0.1",
                "--max-delay",
                "0.3",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


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
    settings.DELIVERY_LEASE_SECONDS = 2
    with FakeWebhookReceiver(secret=personas.harbor_api.secret) as receiver:
        # given the store's endpoint applies the first request, then hangs without answering
        receiver.stall_first_request()
        _point_inbox_at(personas.harbor_api, receiver.url)
        conversation = receive_message(
            personas.harbor_api, InboundMessage(sender_id="shopper-jan", text="Gdzie paczka?")
        ).conversation
        first_worker = start_worker("worker-1")
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
        start_worker("worker-2")
        from storedesk.inbox.tasks import sweep_deliveries

        sweep_deliveries()
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
            won = delivery.claim(row.pk)
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
    settings.DELIVERY_LEASE_SECONDS = 0
    conversation = receive_message(
        personas.harbor_api, InboundMessage(sender_id="shopper-lina", text="Hi")
    ).conversation
    message = send_reply(conversation, Actor.agent(personas.ahmet), "Hello")
    row = Delivery.objects.get(message=message)
    lease_a = delivery.claim_lease(row.pk)
    assert lease_a is not None
    # when worker B takes the row over (A's lease expired) and succeeds
    settings.DELIVERY_LEASE_SECONDS = 60
    lease_b = delivery.claim_lease(row.pk)
    assert lease_b is not None and lease_b != lease_a
    # then A's late failure report is dropped, and B's success stands
    assert delivery.record_result(row.pk, error="timeout", lease=lease_a) == "superseded"
    assert delivery.record_result(row.pk, error=None, lease=lease_b) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
