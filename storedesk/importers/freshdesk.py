"""Freshdesk: tickets (their description is the first message) and their conversations.

From the API (`https://DOMAIN.freshdesk.com` + an API key, sent as Basic `KEY:X`):

- `GET /api/v2/agents` (ids -> names and emails, to tell agents' replies from shoppers');
- `GET /api/v2/tickets?include=requester,description&updated_since=...&order_by=updated_at
  &order_type=asc&per_page=100&page=N` (pages followed through the `Link: <...>; rel="next"`
  header, at most 300 per `updated_since`: larger accounts are read in windows, see
  `FreshdeskApiReader`);
- `GET /api/v2/tickets/{id}/conversations?per_page=100` (replies and notes: `body`,
  `body_text`, `incoming`, `private`, `user_id`, `attachments[].attachment_url`).

From files (a folder): `tickets.json` (tickets as the API returns them, `requester` and
`description` included; `conversations` inline or `conversations/<id>.json`), `agents.json`.

`status`: 2 open, 3 pending, 4 resolved, 5 closed, others (custom statuses) pending;
`priority`: 1 low, 2 medium (normal), 3 high, 4 urgent. A conversation with `private: true`
is a note; one from an agent's `user_id` (and not `incoming`) is an agent's reply.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storedesk.importers.cleaning import (
    clean_tags,
    clean_text,
    html_to_text,
    parse_time,
    read_records,
)
from storedesk.importers.core import Item
from storedesk.importers.files import export_file
from storedesk.importers.http import VendorApi, VendorError, basic, next_link
from storedesk.importers.records import File, Person, Post, Thread

STATUSES = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}
PRIORITIES = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
SINCE = "2000-01-01T00:00:00Z"  # without updated_since the list holds the last 30 days only
MAX_PAGES = 300  # pages Freshdesk lists for one filter (100 tickets each)


def reader(source: str, token: str = "") -> FreshdeskApiReader | FreshdeskFilesReader:
    if source.startswith(("http://", "https://")):
        return FreshdeskApiReader(VendorApi(source, basic(token, "X")))
    return FreshdeskFilesReader(Path(source))


def _agent(agent: dict[str, Any]) -> Person:
    contact = agent.get("contact") or {}
    return Person(id=str(agent.get("id")), name=clean_text(contact.get("name")),
                  email=clean_text(contact.get("email")), is_agent=True)


def _files(items: Any) -> list[File]:
    return [File(filename=str(a.get("name") or "attachment"),
                 content_type=str(a.get("content_type") or ""),
                 url=a.get("attachment_url"), size=a.get("size"))
            for a in items or [] if isinstance(a, dict)]


def thread(ticket: dict[str, Any], conversations: list[dict[str, Any]],
           agents: dict[str, Person]) -> Thread:
    ticket_id = str(ticket.get("id"))
    requester = ticket.get("requester") or {}
    contact = Person(
        id=str(ticket.get("requester_id") or requester.get("id") or ""),
        name=clean_text(requester.get("name")), email=clean_text(requester.get("email")),
        phone=clean_text(requester.get("mobile") or requester.get("phone")),
    )
    responder = agents.get(str(ticket.get("responder_id")))
    status = STATUSES.get(ticket.get("status") or 0, "pending")
    out = Thread(
        id=ticket_id, contact=contact, posts=[],
        subject=clean_text(ticket.get("subject"), 255), status=status,
        priority=PRIORITIES.get(ticket.get("priority") or 2, "normal"),
        tags=clean_tags(ticket.get("tags")), assignee=responder,
        at=parse_time(ticket.get("created_at")),
        closed_at=parse_time(ticket.get("updated_at")) if status in ("resolved", "closed")
        else None,
    )
    if ticket.get("spam") or ticket.get("deleted"):
        out.skip = "spam or deleted ticket"
        return out
    description = ticket.get("description_text")
    if description is None:
        description = html_to_text(ticket.get("description"))
    out.posts.append(Post(
        id=f"ticket:{ticket_id}", at=out.at, author=contact, text=clean_text(description),
        html=ticket.get("description") or None, files=_files(ticket.get("attachments")),
    ))
    for item in conversations:
        user_id = str(item.get("user_id") or "")
        agent = agents.get(user_id)
        if agent is not None and not item.get("incoming"):
            author = agent
        else:
            author = contact if user_id in ("", contact.id) else Person(
                id=user_id, email=clean_text(item.get("from_email")))
        body = item.get("body_text")
        if body is None:
            body = html_to_text(item.get("body"))
        out.posts.append(Post(
            id=f"conversation:{item.get('id')}", at=parse_time(item.get("created_at")),
            author=author, text=clean_text(body), html=item.get("body") or None,
            private=bool(item.get("private")),
            sender="agent" if author.is_agent else "contact",
            files=_files(item.get("attachments")),
        ))
    return out


class FreshdeskApiReader:
    """Tickets in windows of `updated_since`: Freshdesk lists at most 300 pages (30,000
    tickets) for one filter, so when a window is full the next one starts at the update time
    of the last ticket read, leaving out the tickets of that very second already read.

    The checkpoint is that edge (`since`, and the ids read at exactly that time): a resumed
    run opens a new window there. A ticket updated while the import runs moves to the end of
    the list and is read again (its new replies are added; nothing is stored twice)."""

    vendor = "freshdesk"
    total: float | None = None

    def __init__(self, api: VendorApi, *, max_pages: int = MAX_PAGES) -> None:
        self.api = api
        self.location = api.base_url
        self.max_pages = max_pages
        self.agents: dict[str, Person] = {}

    def read(self, checkpoint: Any) -> Iterator[Item]:
        self._load_agents()
        state = checkpoint if isinstance(checkpoint, dict) and "since" in checkpoint else {}
        edge = _Edge(str(state.get("since") or SINCE), [str(i) for i in state.get("seen", [])])
        read = 0
        while True:
            since, seen = edge.since, set(edge.ids)
            page, fresh = 1, 0
            while True:
                response = self.api.get("/api/v2/tickets", {
                    "include": "requester,description", "updated_since": since,
                    "order_by": "updated_at", "order_type": "asc", "per_page": 100,
                    "page": page,
                })
                tickets = response.json() or []
                for ticket in tickets:
                    ticket_id = str(ticket.get("id"))
                    edge.advance(ticket_id, ticket.get("updated_at"))
                    if ticket_id in seen:  # read in the window before, at its last second
                        continue
                    read += 1
                    fresh += 1
                    conversations = self._conversations(ticket.get("id"))
                    yield Item(thread(ticket, conversations, self.agents), edge.checkpoint(),
                               read)
                if not tickets or not next_link(response):
                    return
                if page >= self.max_pages:
                    break
                page += 1
            if not fresh:  # a full window of tickets read before: all updated at `since`
                raise VendorError(
                    f"Freshdesk lists at most {self.max_pages} pages per updated_since, and "
                    f"more tickets than that were updated at {since}: the rest of them cannot "
                    "be listed.")


    def _load_agents(self) -> None:
        url: str | None = "/api/v2/agents?per_page=100"
        while url:
            response = self.api.get(url)
            for agent in response.json() or []:
                self.agents[str(agent.get("id"))] = _agent(agent)
            url = next_link(response)

    def _conversations(self, ticket_id: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        url: str | None = f"/api/v2/tickets/{ticket_id}/conversations?per_page=100"
        while url:
            response = self.api.get(url)
            out += response.json() or []
            url = next_link(response)
        return out

    def fetch(self, file: File, max_bytes: int) -> bytes:
        if not file.url:
            raise FileNotFoundError(file.filename)
        return self.api.file(file.url, max_bytes)


class _Edge:
    """The latest update time read so far, and the tickets read at exactly that time."""

    def __init__(self, since: str, ids: list[str]) -> None:
        self.since = since
        self.at = parse_time(since)
        self.ids = ids

    def advance(self, ticket_id: str, updated_at: Any) -> None:
        at = parse_time(updated_at)
        if at is None or self.at is None or at < self.at:
            return
        if at > self.at:
            self.since, self.at, self.ids = str(updated_at), at, []
        if ticket_id not in self.ids:
            self.ids.append(ticket_id)

    def checkpoint(self) -> dict[str, Any]:
        return {"since": self.since, "seen": list(self.ids)}


class FreshdeskFilesReader:
    vendor = "freshdesk"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.location = str(folder.resolve())
        self.tickets = list(read_records(folder / "tickets.json", "tickets"))
        self.total: float | None = float(len(self.tickets))
        agents_file = folder / "agents.json"
        self.agents = {str(a.get("id")): _agent(a) for a in read_records(agents_file, "agents")} \
            if agents_file.exists() else {}

    def read(self, checkpoint: Any) -> Iterator[Item]:
        start = int((checkpoint or {}).get("index", 0))
        for index in range(start, len(self.tickets)):
            ticket = self.tickets[index]
            conversations = ticket.get("conversations")
            if conversations is None:
                path = self.folder / "conversations" / f"{ticket.get('id')}.json"
                conversations = list(read_records(path, "conversations")) if path.exists() \
                    else []
            yield Item(thread(ticket, conversations, self.agents), {"index": index + 1},
                       index + 1)

    def fetch(self, file: File, max_bytes: int) -> bytes:
        return export_file(self.folder, file, max_bytes)
