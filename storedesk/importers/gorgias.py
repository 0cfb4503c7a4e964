"""Gorgias: tickets and their messages.

From the API (`https://DOMAIN.gorgias.com` + the user's email and an API key, sent as Basic
`EMAIL:KEY`):

- `GET /api/tickets?limit=100&order_by=created_datetime:asc&cursor=...` (`data`,
  `meta.next_cursor`);
- `GET /api/tickets/{id}/messages?limit=100&cursor=...` (`data`: `from_agent`, `public`,
  `sender`, `body_text`, `body_html`, `stripped_text`, `attachments[]` with `url`, `name`,
  `size`, `content_type`; `created_datetime`, `sent_datetime`).

From files (a folder): `tickets.json` (API pages saved as they came, a JSON array, or one
ticket per line), with `messages` inline or in `messages/<ticket id>.json`.

`status`: open -> open, closed -> resolved (a closed Gorgias ticket reopens on a reply, as our
resolved does); spam or trashed tickets are left out. `public: false` is an internal note.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storedesk.importers.cleaning import (
    clean_tags,
    clean_text,
    full_name,
    html_to_text,
    parse_time,
    read_records,
)
from storedesk.importers.core import Item
from storedesk.importers.files import export_file
from storedesk.importers.http import VendorApi, basic
from storedesk.importers.records import File, Person, Post, Thread

STATUSES = {"open": "open", "closed": "resolved"}
PRIORITIES = {"low": "low", "normal": "normal", "high": "high", "critical": "urgent",
              "urgent": "urgent"}


def reader(source: str, token: str = "", email: str = "") -> GorgiasApiReader | GorgiasFilesReader:
    if source.startswith(("http://", "https://")):
        return GorgiasApiReader(VendorApi(source, basic(email, token)))
    return GorgiasFilesReader(Path(source))


def person(value: dict[str, Any] | None, *, agent: bool = False) -> Person | None:
    if not value:
        return None
    name = clean_text(value.get("name")) or full_name(value.get("firstname"),
                                                       value.get("lastname"))
    return Person(id=str(value.get("id") or ""), name=name,
                  email=clean_text(value.get("email")), is_agent=agent)


def thread(ticket: dict[str, Any], messages: list[dict[str, Any]]) -> Thread:
    ticket_id = str(ticket.get("id"))
    contact = person(ticket.get("customer")) or Person("")
    out = Thread(
        id=ticket_id, contact=contact, posts=[],
        subject=clean_text(ticket.get("subject"), 255),
        status=STATUSES.get(str(ticket.get("status")), "resolved"),
        priority=PRIORITIES.get(str(ticket.get("priority") or "normal"), "normal"),
        tags=clean_tags(ticket.get("tags")),
        assignee=person(ticket.get("assignee_user"), agent=True),
        at=parse_time(ticket.get("created_datetime")),
        closed_at=parse_time(ticket.get("closed_datetime")),
        language=clean_text(ticket.get("language"), 8),
    )
    if ticket.get("spam") or ticket.get("trashed_datetime"):
        out.skip = "spam or trashed ticket"
        return out
    for message in messages:
        from_agent = bool(message.get("from_agent"))
        author = person(message.get("sender"), agent=from_agent)
        if not from_agent and (author is None or author.id == contact.id):
            author = contact
        text = message.get("body_text")
        if text is None:
            text = message.get("stripped_text") or html_to_text(message.get("body_html"))
        out.posts.append(Post(
            id=f"message:{message.get('id')}",
            at=parse_time(message.get("sent_datetime") or message.get("created_datetime")),
            author=author, text=clean_text(text), html=message.get("body_html") or None,
            private=message.get("public") is False,
            sender="agent" if from_agent else "contact",
            files=[File(filename=str(a.get("name") or "attachment"),
                        content_type=str(a.get("content_type") or ""),
                        url=a.get("url"), size=a.get("size"))
                   for a in message.get("attachments") or [] if isinstance(a, dict)],
        ))
    return out


class GorgiasApiReader:
    vendor = "gorgias"
    total: float | None = None

    def __init__(self, api: VendorApi) -> None:
        self.api = api
        self.location = api.base_url

    def read(self, checkpoint: Any) -> Iterator[Item]:
        cursor = (checkpoint or {}).get("cursor")
        skip = int((checkpoint or {}).get("done", 0))
        pages = 0
        while True:
            page = self.api.json("/api/tickets", {
                "limit": 100, "order_by": "created_datetime:asc", "cursor": cursor})
            pages += 1
            tickets = page.get("data") or []
            for n, ticket in enumerate(tickets):
                if n < skip:
                    continue
                yield Item(thread(ticket, self._messages(ticket.get("id"))),
                           {"cursor": cursor, "done": n + 1}, pages - 1 + (n + 1) / len(tickets))
            skip = 0
            cursor = (page.get("meta") or {}).get("next_cursor")
            if not tickets or not cursor:
                return

    def _messages(self, ticket_id: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.api.json(f"/api/tickets/{ticket_id}/messages",
                                 {"limit": 100, "cursor": cursor})
            out += page.get("data") or []
            cursor = (page.get("meta") or {}).get("next_cursor")
            if not cursor:
                return out

    def fetch(self, file: File, max_bytes: int) -> bytes:
        if not file.url:
            raise FileNotFoundError(file.filename)
        return self.api.file(file.url, max_bytes)


class GorgiasFilesReader:
    vendor = "gorgias"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.location = str(folder.resolve())
        self.tickets = list(read_records(folder / "tickets.json", "data"))
        self.total: float | None = float(len(self.tickets))

    def read(self, checkpoint: Any) -> Iterator[Item]:
        start = int((checkpoint or {}).get("index", 0))
        for index in range(start, len(self.tickets)):
            ticket = self.tickets[index]
            messages = ticket.get("messages")
            if messages is None:
                path = self.folder / "messages" / f"{ticket.get('id')}.json"
                messages = list(read_records(path, "data")) if path.exists() else []
            yield Item(thread(ticket, messages), {"index": index + 1}, index + 1)

    def fetch(self, file: File, max_bytes: int) -> bytes:
        return export_file(self.folder, file, max_bytes)
