"""Dispatch survives a killed worker: real Huey consumers in subprocesses, on the test's own DB.

The workers run with `settings_subscribed`, whose dispatch table is exactly the one this
process applies through a settings override: `message.received` -> the test-only rule, and
nothing else. Both sides must agree on the table: an event is dispatched once every subscriber
in the table has a receipt, so with the real subscribers in the workers' table only (as
before) the outcome also hung on each of them succeeding in the doomed worker before the rule's
turn, and one that failed there waited out Huey's 10-second retry delays, which no sweeper
covers in these workers (`--no-periodic`) -- a test that passed or not depending on the load.
Every wait below is for a state another process reaches (a process exit, a row, a task's
result), bounded only as a liveness guard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from storedesk.events.models import Event, EventReceipt
from storedesk.events.tasks import run_handler, sweep_events
from storedesk.events.tests.handlers import HANDLER
from storedesk.events.tests.settings_subscribed import EVENT_SUBSCRIBERS as WORKER_TABLE
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message
from storedesk.testing.queue_workers import WAIT_SECONDS, wait_for

SETTINGS = "storedesk.events.tests.settings_subscribed"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_handler_is_covered_by_the_sweeper_and_applies_once(
    personas, settings, tmp_path, start_worker: Callable[..., Any]
):
    settings.EVENT_SUBSCRIBERS = WORKER_TABLE  # the same table as the workers'
    settings.EVENT_SWEEP_GRACE_SECONDS = 0
    env = {"DJANGO_SETTINGS_MODULE": SETTINGS,
           "STOREDESK_TEST_KILL_FLAG": str(tmp_path / "kill-next-handler")}
    # given a worker whose next subscriber run dies with SIGKILL before writing anything
    (tmp_path / "kill-next-handler").touch()
    doomed = start_worker("doomed", env=env)
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
    assert not EventReceipt.objects.filter(event=event).exists()
    notes = Message.objects.filter(conversation=received.conversation, private=True)
    assert not notes.exists()
    # when the sweeper runs and a fresh worker starts
    assert sweep_events.call_local() == 1
    start_worker("survivor", env=env)
    # then the rule is applied and the event marked dispatched
    wait_for(lambda: Event.objects.filter(pk=event.pk, dispatched_at__isnull=False).exists(),
             "the swept event to be dispatched")
    assert notes.count() == 1
    note_event = Event.objects.get(kind="note.added", conversation=received.conversation)
    assert note_event.cause_id == event.pk and note_event.actor_type == "rule"
    # when the same subscriber task is delivered again (a duplicate enqueue)
    again = run_handler(event.pk, HANDLER)
    # then it finds its receipt and does nothing: one receipt, one note
    assert again.get(blocking=True, timeout=WAIT_SECONDS) is False
    assert list(EventReceipt.objects.filter(event=event).values_list("handler", flat=True)) == [
        HANDLER]
    assert notes.count() == 1
    # and the sweeper has nothing left to do
    assert sweep_events.call_local() == 0
