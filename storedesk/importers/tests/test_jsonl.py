"""Storedesk's own JSONL format: one conversation per line, with its messages; a messy file
is imported as far as it can be, and what was left out is said line by line."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from storedesk.importers.core import run_import
from storedesk.importers.jsonl import JsonlReader
from storedesk.importers.models import ImportRun
from storedesk.importers.tests.helpers import dump
from storedesk.inbox.models import Attachment


def _line(record) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def test_a_messy_file_imports_what_it_can_and_says_what_it_left_out(personas, tmp_path: Path):
    export = tmp_path / "export" / "history.jsonl"
    (export.parent / "files").mkdir(parents=True)
    (export.parent / "files" / "invoice.txt").write_bytes(b"invoice 1042: 49.00 EUR\n")
    (tmp_path / "secret.txt").write_text("outside the export")
    good = {
        "id": "T-1", "subject": "Faktura", "status": "solved", "priority": "urgent",
        "tags": ["faktura", "bad tag!!"], "created_at": "2021-01-05T10:00:00+01:00",
        "assignee": "ahmet@harbor.test",
        "contact": {"id": "C-1", "name": "Ola Nowak", "email": "OLA@example.pl"},
        "messages": [
            {"id": "1", "created_at": "2021-01-05T10:00:00+01:00", "from": "customer",
             "text": "Proszę o fakturę.",
             "attachments": [{"filename": "scan.png", "content_type": "image/png",
                              "data": base64.b64encode(b"\x89PNG fake scan").decode()},
                             {"filename": "oops.bin", "data": "not base64!!"}]},
            {"id": "2", "created_at": "2021-01-05T11:00:00+01:00", "from": "agent",
             "author": {"name": "Ahmet", "email": "ahmet@harbor.test"},
             "html": "<p>Faktura w załączniku.</p>",
             "attachments": [{"filename": "invoice.txt", "path": "files/invoice.txt"},
                             {"filename": "passwd", "path": "../secret.txt"}]},
            {"id": "3", "created_at": "yesterday-ish", "from": "agent", "text": "lost time"},
            {"id": "4", "created_at": "2021-01-05T12:00:00+01:00", "from": "agent",
             "private": True, "text": "Wysłane z systemu księgowego."},
        ],
    }
    windows = {"id": "T-2", "contact": {"email": "jose@example.es", "name": "José"},
               "status": "open", "messages": [
                   {"id": "1", "created_at": 1609459200, "text": "¿Dónde está mi pedido?"}]}
    export.write_bytes(
        b"\xef\xbb\xbf" + _line(good)  # a UTF-8 byte order mark on the first line
        + b"\n"
        + b"{not json\n"
        + b"[1, 2]\n"
        + _line({"subject": "no id", "messages": []})
        + json.dumps(windows, ensure_ascii=False).encode("cp1252") + b"\n"
    )
    # when it is imported
    summary = run_import(JsonlReader(export), personas.harbor_email,
                         progress_stream=io.StringIO())
    # then both conversations are in, and every left-out thing is counted by reason
    assert dict(summary.skipped) == {
        "line that is not valid JSON": 1, "line that is not a JSON object": 1,
        "conversation without an id": 1, "message without a valid time": 1,
        "attachment with invalid base64 data": 1,
        "attachment file missing from the export": 1,
    }
    assert (summary.conversations, summary.messages, summary.attachments) == (2, 4, 2)
    spanish, invoice = dump(personas.harbor_email)  # oldest first
    assert (invoice["status"], invoice["priority"], invoice["tags"]) == (
        "resolved", "urgent", ["bad tag", "faktura"])
    assert invoice["contact"] == ("Ola Nowak", "ola@example.pl", "")
    asked, answered, note = invoice["messages"]
    assert asked["at"] == "2021-01-05T09:00:00+00:00"
    assert [f[0] for f in asked["files"]] == ["scan.png"]
    assert answered["text"] == "Faktura w załączniku." and answered["agent"] == "ahmet@harbor.test"
    assert [f[0] for f in answered["files"]] == ["invoice.txt"]
    assert note["private"]
    assert spanish["messages"][0]["text"] == "¿Dónde está mi pedido?"
    assert spanish["messages"][0]["at"] == "2021-01-01T00:00:00+00:00"
    assert spanish["status"] == "open"
    assert not Attachment.objects.filter(filename="passwd").exists()
    # and the run is recorded as finished with its counts
    run = ImportRun.objects.get(inbox=personas.harbor_email)
    assert run.finished_at is not None and run.messages == 4 and run.attachments == 2


def test_new_messages_of_a_known_conversation_are_added_to_it(personas, tmp_path: Path):
    conversation = {"id": "T-9", "status": "open", "contact": {"email": "k@example.net"},
                    "messages": [{"id": "a", "created_at": "2022-02-02T10:00:00Z",
                                  "text": "first"}]}
    export = tmp_path / "one.jsonl"
    export.write_bytes(_line(conversation))
    run_import(JsonlReader(export), personas.harbor_email, progress_stream=io.StringIO())
    # a later export of the same conversation carries one more message
    conversation["messages"].append({"id": "b", "created_at": "2022-02-02T11:00:00Z",
                                     "from": "agent", "text": "an answer"})
    export.write_bytes(_line(conversation))
    summary = run_import(JsonlReader(export), personas.harbor_email,
                         progress_stream=io.StringIO())
    assert (summary.conversations, summary.appended, summary.messages) == (0, 1, 1)
    (only,) = dump(personas.harbor_email)
    assert [m["text"] for m in only["messages"]] == ["first", "an answer"]
    assert only["message_count"] == 2
    assert only["last_message_at"] == "2022-02-02T11:00:00+00:00"
