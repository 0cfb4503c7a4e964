"""Storedesk's own import format: JSON Lines, one conversation per line (docs/importing.md).

    {"id": "T-1001", "subject": "Where is my order?", "status": "resolved",
     "priority": "normal", "tags": ["shipping"], "created_at": "2023-04-01T09:00:00Z",
     "closed_at": "2023-04-02T10:00:00Z", "language": "en",
     "assignee": {"email": "ahmet@store.example"},
     "contact": {"id": "C-7", "name": "Ayşe", "email": "ayse@example.net", "phone": ""},
     "messages": [
       {"id": "M-1", "created_at": "2023-04-01T09:00:00Z", "from": "contact",
        "text": "Hi, where is my order?"},
       {"id": "M-2", "created_at": "2023-04-01T10:00:00Z", "from": "agent",
        "author": {"name": "Ahmet", "email": "ahmet@store.example"},
        "text": "It ships today.", "html": "<p>It ships today.</p>",
        "attachments": [{"filename": "label.pdf", "content_type": "application/pdf",
                         "url": "https://files.example/label.pdf"}]},
       {"id": "M-3", "created_at": "2023-04-01T10:01:00Z", "from": "agent", "private": true,
        "text": "Carrier confirmed pickup."}]}

The position in the file (a byte offset) is the checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storedesk.importers.cleaning import clean_tags, clean_text, html_to_text, parse_time
from storedesk.importers.core import Item
from storedesk.importers.files import export_file
from storedesk.importers.records import File, Person, Post, Thread

STATUSES = {
    "open": "open", "new": "open", "active": "open", "pending": "pending", "hold": "pending",
    "on-hold": "pending", "snoozed": "snoozed", "resolved": "resolved", "solved": "resolved",
    "closed": "closed",
}
PRIORITIES = {"low": "low", "normal": "normal", "medium": "normal", "high": "high",
              "urgent": "urgent"}
SENDERS = {"contact", "customer", "agent", "bot", "system"}


class JsonlReader:
    vendor = "jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path.resolve())
        self.total: float | None = float(path.stat().st_size)

    def read(self, checkpoint: Any) -> Iterator[Item]:
        offset = int((checkpoint or {}).get("offset", 0))
        line_no = int((checkpoint or {}).get("line", 0))
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            for raw in handle:
                offset += len(raw)
                line_no += 1
                if not raw.strip():
                    continue
                yield Item(parse_line(raw, line_no), {"offset": offset, "line": line_no},
                           offset)

    def fetch(self, file: File, max_bytes: int) -> bytes:
        return export_file(self.path.parent, file, max_bytes)


def parse_line(raw: bytes, line_no: int) -> Thread:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        record = json.loads(text)
    except ValueError:
        return Thread(id=f"line {line_no}", contact=Person(""), posts=[],
                      skip="line that is not valid JSON")
    if not isinstance(record, dict):
        return Thread(id=f"line {line_no}", contact=Person(""), posts=[],
                      skip="line that is not a JSON object")
    return parse_conversation(record, line_no)


def parse_conversation(record: dict[str, Any], line_no: int = 0) -> Thread:
    conversation_id = clean_text(record.get("id")).strip()
    if not conversation_id:
        return Thread(id=f"line {line_no}", contact=Person(""), posts=[],
                      skip="conversation without an id")
    contact = _person(record.get("contact")) or Person("")
    thread = Thread(
        id=conversation_id, contact=contact, posts=[],
        subject=clean_text(record.get("subject"), 255),
        status=STATUSES.get(str(record.get("status") or "resolved").lower(), "resolved"),
        priority=PRIORITIES.get(str(record.get("priority") or "normal").lower(), "normal"),
        tags=clean_tags(record.get("tags")),
        assignee=_person(record.get("assignee"), agent=True),
        at=parse_time(record.get("created_at")),
        closed_at=parse_time(record.get("closed_at")),
        language=clean_text(record.get("language"), 8),
    )
    for n, message in enumerate(record.get("messages") or []):
        if isinstance(message, dict):
            thread.posts.append(_post(message, conversation_id, n))
    return thread


def _post(message: dict[str, Any], conversation_id: str, n: int) -> Post:
    sender = str(message.get("from") or "contact").lower()
    sender = "contact" if sender == "customer" or sender not in SENDERS else sender
    html = message.get("html")
    text = message.get("text")
    if text is None and html:
        text = html_to_text(str(html))
    author = _person(message.get("author"), agent=sender != "contact")
    return Post(
        id=f"{conversation_id}:{clean_text(message.get('id')) or n}",
        at=parse_time(message.get("created_at")), author=author, text=clean_text(text),
        html=str(html) if html else None, private=bool(message.get("private")),
        sender=sender, files=[f for f in map(_file, message.get("attachments") or []) if f],
    )


def _person(value: Any, *, agent: bool = False) -> Person | None:
    if isinstance(value, str):
        value = {"email": value} if "@" in value else {"name": value}
    if not isinstance(value, dict):
        return None
    return Person(
        id=clean_text(value.get("id")).strip(), name=clean_text(value.get("name")),
        email=clean_text(value.get("email")).strip(), phone=clean_text(value.get("phone")),
        is_agent=agent,
    )


def _file(value: Any) -> File | None:
    if not isinstance(value, dict):
        return None
    data = None
    if value.get("data"):
        try:
            data = base64.b64decode(str(value["data"]), validate=True)
        except (binascii.Error, ValueError):
            return File(filename=clean_text(value.get("filename") or "attachment"),
                        problem="attachment with invalid base64 data")
    return File(
        filename=clean_text(value.get("filename") or "attachment"),
        content_type=clean_text(value.get("content_type")),
        url=str(value["url"]) if value.get("url") else None, data=data,
        path=str(value["path"]) if value.get("path") else None,
        size=value.get("size") if isinstance(value.get("size"), int) else None,
    )
