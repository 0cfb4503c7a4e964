"""Dispatch survives a killed worker: real Huey consumers in subprocesses, on the test's own DB.

The workers run with `settings_subscribed` (the real settings plus a test-only rule in the
dispatch table); this process applies the same table through a settings override.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from storedesk.events.models import Event, EventReceipt
from storedesk.events.tasks import run_handler, sweep_events
from storedesk.events.tests.handlers import HANDLER
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message
from storedesk.inbox.tests.test_delivery_worker import _database_url

# Upper bound for waiting on other processes: a liveness guard, not a timing assertion.
WAIT_SECONDS = 90


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def real_queue() -> Iterator[str]:
    """A queue of its own that this process enqueues into and the workers consume."""
    name = f"{HUEY.name}-events-test-{secrets.token_hex(4)}"
    HUEY.immediate = False
    HUEY.storage = HUEY.storage_class(name, **HUEY.storage_kwargs)
    try:
        yield name
    finally:
        HUEY.storage.flush_queue()
        HUEY.storage.flush_schedule()
        HUEY.storage.flush_results()
        HUEY.immediate = True


@pytest.fixture
def start_worker(
    tmp_path: Path, real_queue: str
) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "storedesk.events.tests.settings_subscribed",
            "DATABASE_URL": _database_url(),
            "STOREDESK_DATA_DIR": str(settings.DATA_DIR),
            "STOREDESK_QUEUE_IMMEDIATE": "0",
            "STOREDESK_QUEUE_NAME": real_queue,
            "STOREDESK_TEST_KILL_FLAG": str(tmp_path / "kill-next-handler"),
        }
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "--worker-type",
             "thread", "--no-periodic", "--delay", "0.1", "--max-delay", "0.3"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_handler_is_covered_by_the_sweeper_and_applies_once(
    personas, settings, tmp_path, start_worker
):
    settings.EVENT_SUBSCRIBERS = {"message.received": [HANDLER]}
    settings.EVENT_SWEEP_GRACE_SECONDS = 0
    # given a worker whose next subscriber run dies with SIGKILL before writing anything
    (tmp_path / "kill-next-handler").touch()
    doomed = start_worker("doomed")
    # when Maya's message is received and committed
    received = receive_message(personas.harbor_api, InboundMessage(
        sender_id="maya@example.com", email="maya@example.com", text="Where is order 7?",
        source_id="m-7"))
    event = Event.objects.get(kind="message.received", conversation=received.conversation)
    # then the worker picks up the dispatch, starts the rule and is killed
    assert doomed.wait(timeout=WAIT_SECONDS) == -9
    assert not (tmp_path / "kill-next-handler").exists()
    # and the event is still undispatched, with no receipt and no note
    event.refresh_from_db()
    assert event.dispatched_at is None
    assert not EventReceipt.objects.exists()
    notes = Message.objects.filter(conversation=received.conversation, private=True)
    assert not notes.exists()
    # when the sweeper runs and a fresh worker starts
    assert sweep_events.call_local() == 1
    start_worker("survivor")
    # then the rule is applied and the event marked dispatched
    _wait_for(lambda: Event.objects.filter(pk=event.pk, dispatched_at__isnull=False).exists(),
              "the swept event to be dispatched")
    assert notes.count() == 1
    note_event = Event.objects.get(kind="note.added", conversation=received.conversation)
    assert note_event.cause_id == event.pk and note_event.actor_type == "rule"
    # when the same subscriber task is delivered again (a duplicate enqueue)
    again = run_handler(event.pk, HANDLER)
    # then it finds its receipt and does nothing: one receipt, one note
    assert again.get(blocking=True, timeout=WAIT_SECONDS) is False
    assert EventReceipt.objects.filter(event=event).count() == 1
    assert notes.count() == 1
    # and the sweeper has nothing left to do
    assert sweep_events.call_local() == 0
