"""A test-only subscriber, registered through a settings override of the dispatch table.

`note_on_received` is a tiny "rule": for each received message it writes a private note, acting
as a rule caused by the event. Its effect is not naturally idempotent (each call would add one
more note), so a test can see that the dispatcher applies it once even when it runs twice.
When the file named by STOREDESK_TEST_KILL_FLAG exists, the first run removes it and kills its
own worker process with SIGKILL before writing anything (a worker dying mid-handler).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from storedesk.accounts.actor import Actor
from storedesk.events.models import Event
from storedesk.inbox.actions import add_note

HANDLER = "storedesk.events.tests.handlers.note_on_received"


def note_on_received(event_id: int) -> None:
    flag = os.environ.get("STOREDESK_TEST_KILL_FLAG")
    if flag and Path(flag).exists():
        Path(flag).unlink()
        os.kill(os.getpid(), signal.SIGKILL)
    event = Event.objects.select_related("conversation").get(pk=event_id)
    assert event.conversation is not None
    add_note(event.conversation, Actor.rule().caused_by(event_id),
             f"Rule saw message {event.data['message_id']}")
