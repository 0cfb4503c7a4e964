"""A store's import is killed halfway (SIGKILL: no cleanup at all) and started again: the
result is the same as one clean run, and a third run adds nothing."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from storedesk.importers import sample
from storedesk.importers.core import run_import
from storedesk.importers.jsonl import JsonlReader
from storedesk.importers.models import ImportRun
from storedesk.importers.tests.helpers import dump
from storedesk.inbox.models import Inbox, Message
from storedesk.testing.queue_workers import WAIT_SECONDS, database_url, wait_for

MESSAGES = 1800


def _storedesk(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url(),
           "STOREDESK_DATA_DIR": str(settings.DATA_DIR)}
    return subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "storedesk.cli", *args], env=env, cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_resumes_to_the_same_result_as_a_clean_run(personas, tmp_path: Path):
    # given an export of 1,800 messages with attachments and notes
    export = tmp_path / "history.jsonl"
    with export.open("w") as out:
        sample.write(out, MESSAGES, shoppers=40, attachment_every=25)
    clean = personas.harbor_email
    killed = Inbox.objects.create(account=personas.harbor, name="Killed", channel="email")
    # and the reference: one clean run
    reference = run_import(JsonlReader(export), clean, chunk=100,
                           progress_stream=io.StringIO())
    assert reference.messages == MESSAGES
    # when an import into another inbox is killed after its first chunks committed
    args = ["import", "jsonl", str(export), "--inbox", str(killed.pk), "--chunk", "60",
            "--max-rate", "400", "--json"]
    process = _storedesk(*args)
    wait_for(lambda: Message.objects.filter(inbox=killed).count() >= 120
             or process.poll() is not None, "the first chunks")
    process.send_signal(signal.SIGKILL)
    process.wait(WAIT_SECONDS)
    stored = Message.objects.filter(inbox=killed).count()
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    assert 0 < stored < MESSAGES
    run = ImportRun.objects.get(inbox=killed)
    assert run.finished_at is None and run.checkpoint is not None
    # and started again
    again = _storedesk(*args[:-3], "--json")
    out, err = again.communicate(timeout=WAIT_SECONDS * 3)
    assert again.returncode == 0, err.decode()
    summary = json.loads(out)
    # then it went on from its checkpoint, and the inbox holds exactly the clean run's history
    assert summary["resumed"] is True
    assert summary["messages"] == MESSAGES - stored
    assert dump(killed) == dump(clean)
    assert "msg/s" in err.decode()  # the progress line went to stderr
    # and one more run imports nothing
    third = _storedesk(*args[:-3], "--json")
    out, err = third.communicate(timeout=WAIT_SECONDS * 3)
    assert json.loads(out)["messages"] == 0
    assert Message.objects.filter(inbox=killed).count() == MESSAGES
