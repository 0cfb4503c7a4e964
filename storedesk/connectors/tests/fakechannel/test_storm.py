"""A webhook storm: a provider replays thousands of signed events (with retries of the same
events and a forged one among them); a real `storedesk worker` is SIGKILLed in the middle of a
batch, another worker takes over after the lease, and every event ends up as exactly one
message. Real queue, real worker processes, the test's own database (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from storedesk.connectors.models import InboundEvent
from storedesk.connectors.tasks import sweep_inbound_events
from storedesk.connectors.tests.fakechannel.conftest import push, signed
from storedesk.events.models import Event
from storedesk.inbox.models import Message
from storedesk.testing.queue_workers import WAIT_SECONDS, database_url, wait_for

EVENTS = 3000
BATCH = 200
STALL_AT = 450  # in the middle of the 3rd batch
LEASE_SECONDS = 3
QUIET_SETTINGS = "storedesk.connectors.tests.fakechannel.settings_pigeon_quiet"
BAD = {"evt-700": "carrier-lost", "evt-2100": ""}  # an unknown type, an empty message


def _wait_long(condition: Callable[[], bool], what: str) -> None:
    """A liveness guard sized for thousands of messages on a loaded machine (not a timing
    assertion)."""
    deadline = time.monotonic() + 10 * WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def _event(n: int) -> dict:
    event_id = f"evt-{n}"
    if event_id == "evt-700":
        return {"id": event_id, "type": "carrier-lost", "from": "coop-1"}
    body = {"id": event_id, "type": "message", "from": f"coop-{n % 250}",
            "name": f"Coop {n % 250}", "text": "" if event_id == "evt-2100" else f"Order {n}?"}
    if n == STALL_AT:
        body["stall"] = True
    return body


@pytest.fixture
def storm_workers(tmp_path: Path, real_queue: str) -> Iterator[Callable[[str], subprocess.Popen]]:
    """Start real `storedesk worker` processes on the test's database and queue."""
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": QUIET_SETTINGS,
            "DATABASE_URL": database_url(),
            "STOREDESK_DATA_DIR": str(settings.DATA_DIR),
            "STOREDESK_QUEUE_IMMEDIATE": "0",
            "STOREDESK_QUEUE_NAME": real_queue,
            "STOREDESK_INBOUND_BATCH_SIZE": str(BATCH),
            "STOREDESK_INBOUND_LEASE_SECONDS": str(LEASE_SECONDS),
            "STOREDESK_TEST_PIGEON_STALL_DIR": str(tmp_path),
        }
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [str(Path(sys.executable).parent / "storedesk"), "worker", "--workers", "2",
             "--no-periodic"],
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
def test_the_webhook_storm_drains_after_a_worker_kill_with_every_event_stored_once(
    personas, pigeon_inbox, storm_workers, tmp_path
):
    provider = Client()
    # given a provider replaying its backlog: 3,000 signed events, every 10th sent twice (its
    # retry after a timeout), and a forged one
    answers = []
    for n in range(EVENTS):
        raw, headers = signed(_event(n))
        answers.append(push(provider, pigeon_inbox, raw, headers))
        if n % 10 == 0:
            again = push(provider, pigeon_inbox, raw, headers)
            assert (again.status_code, again.json()["duplicate"]) == (202, True)
    raw, headers = signed({"id": "evt-forged", "type": "message", "from": "x", "text": "hi"},
                          secret="not-the-app-secret")
    assert push(provider, pigeon_inbox, raw, headers).status_code == 401
    # then each was accepted once (202) and stored once, nothing processed yet
    assert {a.status_code for a in answers} == {202}
    assert not any(a.json()["duplicate"] for a in answers)
    events = InboundEvent.objects.filter(inbox=pigeon_inbox)
    assert events.count() == EVENTS
    assert not events.filter(event_id="evt-forged").exists()
    assert events.filter(status="pending").count() == EVENTS

    # when a real worker drains the backlog and is SIGKILLed mid-batch (parked at evt-450)
    (tmp_path / "stall-once").touch()
    doomed = storm_workers("doomed")
    _wait_long(lambda: (tmp_path / "stalled").exists(), "the worker to reach evt-450")
    os.kill(doomed.pid, signal.SIGKILL)
    assert doomed.wait(timeout=WAIT_SECONDS) == -signal.SIGKILL
    # then the batches before it are committed, one message per event, and the killed batch
    # (evt-400 .. evt-599) is still claimed and wrote nothing
    done = set(events.filter(status="done").values_list("event_id", flat=True))
    held = set(events.filter(status="processing").values_list("event_id", flat=True))
    assert {f"evt-{n}" for n in range(400)} <= done
    assert held == {f"evt-{n}" for n in range(400, 600)}
    messages = Message.objects.filter(inbox=pigeon_inbox)
    assert messages.count() == len(done)
    assert not messages.filter(source_id="pigeon-in-evt-400").exists()

    # when another worker starts and, once the lease has run out, the minute sweep kicks a drain
    storm_workers("survivor")
    wait_for(lambda: not events.filter(status="processing",
                                       lease_until__gte=timezone.now()).exists(),
             "the killed batch's lease to run out")
    assert sweep_inbound_events.call_local() is True
    _wait_long(lambda: not events.filter(status__in=["pending", "processing"]).exists(),
               "the backlog to drain")

    # then every good event became exactly one message, and the two bad ones failed with
    # their error without holding up their batches
    failed = dict(events.filter(status="failed").values_list("event_id", "error"))
    assert set(failed) == set(BAD)
    assert "carrier-lost" in failed["evt-700"] and "empty" in failed["evt-2100"]
    good = EVENTS - len(BAD)
    assert events.filter(status="done").count() == good
    assert messages.count() == good
    expected = {f"pigeon-in-evt-{n}" for n in range(EVENTS)} - {
        f"pigeon-in-{event_id}" for event_id in BAD}
    assert set(messages.values_list("source_id", flat=True)) == expected
    # and the killed batch was claimed twice, the others once
    assert set(events.filter(attempts=2).values_list("event_id", flat=True)) == held
    assert events.exclude(attempts__in=[1, 2]).count() == 0
    # and one message.received event per message: nothing was received twice
    received = Event.objects.filter(account=personas.harbor, kind="message.received",
                                    conversation__inbox=pigeon_inbox)
    assert received.count() == good
    # and 250 shoppers' messages landed in 250 conversations (one identity each)
    assert messages.values("conversation").distinct().count() == 250
