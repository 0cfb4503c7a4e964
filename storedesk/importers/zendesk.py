"""Zendesk Support: tickets with their comments, requesters, agents, tags and attachments.

From the API (`https://SUBDOMAIN.zendesk.com` + an API token with `--email`, sent as
`EMAIL/token:TOKEN` in Basic auth, or an OAuth token alone, sent as Bearer):

- `GET /api/v2/incremental/tickets/cursor.json?start_time=0&include=users` (the cursor-based
  incremental ticket export: `tickets`, side-loaded `users`, `after_cursor`, `end_of_stream`);
- `GET /api/v2/tickets/{id}/comments.json` (`comments`, `next_page`) per ticket;
- `GET /api/v2/users/show_many.json?ids=...` for authors the export did not side-load.

From files (a folder): `tickets.json` (the export's pages saved as they came, a JSON array, or
one ticket per line) whose tickets may carry their `comments` inline, else
`comments/<ticket id>.json` ({"comments": [...]}); `users.json` likewise.

Ticket `status`: new/open -> open, pending/hold -> pending, solved -> resolved, closed ->
closed, deleted -> left out. A comment with `public: false` is a private note. Checkpoint: the
cursor of the page being read and how many of its tickets are done (API), or the ticket index
(files).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storedesk.importers.cleaning import clean_tags, clean_text, parse_time, read_records
from storedesk.importers.core import Item
from storedesk.importers.files import export_file
from storedesk.importers.http import VendorApi, basic, bearer
from storedesk.importers.records import File, Person, Post, Thread

STATUSES = {"new": "open", "open": "open", "pending": "pending", "hold": "pending",
            "solved": "resolved", "closed": "closed"}
PRIORITIES = {"low": "low", "normal": "normal", "high": "high", "urgent": "urgent"}
AGENT_ROLES = {"agent", "admin"}


def reader(source: str, token: str = "", email: str = "") -> ZendeskApiReader | ZendeskFilesReader:
    if source.startswith(("http://", "https://")):
        headers = basic(f"{email}/token", token) if email else bearer(token)
        return ZendeskApiReader(VendorApi(source, headers))
    return ZendeskFilesReader(Path(source))


def person(user: dict[str, Any] | None, user_id: Any = None) -> Person:
    if not user:
        return Person(id=str(user_id or ""))
    return Person(
        id=str(user.get("id") or user_id or ""), name=clean_text(user.get("name")),
        email=clean_text(user.get("email")), phone=clean_text(user.get("phone")),
        is_agent=user.get("role") in AGENT_ROLES,
    )


def thread(ticket: dict[str, Any], comments: list[dict[str, Any]],
           users: dict[str, dict[str, Any]]) -> Thread:
    ticket_id = str(ticket.get("id"))
    requester = person(users.get(str(ticket.get("requester_id"))), ticket.get("requester_id"))
    requester.is_agent = False
    assignee_id = ticket.get("assignee_id")
    out = Thread(
        id=ticket_id, contact=requester, posts=[],
        subject=clean_text(ticket.get("subject") or ticket.get("raw_subject"), 255),
        status=STATUSES.get(str(ticket.get("status")), "resolved"),
        priority=PRIORITIES.get(str(ticket.get("priority") or "normal"), "normal"),
        tags=clean_tags(ticket.get("tags")),
        assignee=person(users.get(str(assignee_id)), assignee_id) if assignee_id else None,
        at=parse_time(ticket.get("created_at")),
        closed_at=parse_time(ticket.get("updated_at")) if ticket.get("status") in (
            "solved", "closed") else None,
    )
    if ticket.get("status") == "deleted":
        out.skip = "deleted ticket"
        return out
    for comment in comments:
        author_id = comment.get("author_id")
        author = person(users.get(str(author_id)), author_id)
        if str(author_id) == str(ticket.get("requester_id")):
            author.is_agent = False
        body = comment.get("plain_body") or comment.get("body") or ""
        out.posts.append(Post(
            id=f"comment:{comment.get('id')}", at=parse_time(comment.get("created_at")),
            author=author, text=clean_text(body), html=comment.get("html_body") or None,
            private=comment.get("public") is False,
            files=[File(filename=str(a.get("file_name") or "attachment"),
                        content_type=str(a.get("content_type") or ""),
                        url=a.get("content_url"), size=a.get("size"))
                   for a in comment.get("attachments") or [] if isinstance(a, dict)],
        ))
    return out


class ZendeskApiReader:
    vendor = "zendesk"
    total: float | None = None

    def __init__(self, api: VendorApi) -> None:
        self.api = api
        self.location = api.base_url
        self.users: dict[str, dict[str, Any]] = {}

    def read(self, checkpoint: Any) -> Iterator[Item]:
        cursor = (checkpoint or {}).get("cursor")
        skip = int((checkpoint or {}).get("done", 0))
        pages = 0
        while True:
            params = {"cursor": cursor} if cursor else {"start_time": 0}
            page = self.api.json("/api/v2/incremental/tickets/cursor.json",
                                 {**params, "include": "users"})
            pages += 1
            for user in page.get("users") or []:
                self.users[str(user.get("id"))] = user
            tickets = page.get("tickets") or []
            for n, ticket in enumerate(tickets):
                if n < skip:
                    continue
                comments = self._comments(ticket.get("id"))
                self._complete_users(ticket, comments)
                yield Item(thread(ticket, comments, self.users),
                           {"cursor": cursor, "done": n + 1}, pages - 1 + (n + 1) / len(tickets))
            skip = 0
            if page.get("end_of_stream", True) or not page.get("after_cursor"):
                return
            cursor = page["after_cursor"]

    def _comments(self, ticket_id: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        url: str | None = f"/api/v2/tickets/{ticket_id}/comments.json"
        while url:
            page = self.api.json(url)
            out += page.get("comments") or []
            url = page.get("next_page")
        return out

    def _complete_users(self, ticket: dict[str, Any], comments: list[dict[str, Any]]) -> None:
        wanted = {ticket.get("requester_id"), ticket.get("assignee_id"),
                  *(c.get("author_id") for c in comments)}
        missing = sorted(str(u) for u in wanted if u and str(u) not in self.users)
        if missing:
            page = self.api.json("/api/v2/users/show_many.json", {"ids": ",".join(missing)})
            for user in page.get("users") or []:
                self.users[str(user.get("id"))] = user

    def fetch(self, file: File, max_bytes: int) -> bytes:
        if not file.url:
            raise FileNotFoundError(file.filename)
        return self.api.file(file.url, max_bytes)


class ZendeskFilesReader:
    vendor = "zendesk"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.location = str(folder.resolve())
        self.tickets = list(read_records(folder / "tickets.json", "tickets"))
        self.total: float | None = float(len(self.tickets))
        users_file = folder / "users.json"
        self.users = {str(u.get("id")): u for u in read_records(users_file, "users")} \
            if users_file.exists() else {}

    def read(self, checkpoint: Any) -> Iterator[Item]:
        start = int((checkpoint or {}).get("index", 0))
        for index in range(start, len(self.tickets)):
            ticket = self.tickets[index]
            comments = ticket.get("comments")
            if comments is None:
                path = self.folder / "comments" / f"{ticket.get('id')}.json"
                comments = list(read_records(path, "comments")) if path.exists() else []
            yield Item(thread(ticket, comments, self.users), {"index": index + 1}, index + 1)

    def fetch(self, file: File, max_bytes: int) -> bytes:
        return export_file(self.folder, file, max_bytes)
