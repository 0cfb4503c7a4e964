"""Help Scout (Mailbox API 2.0): conversations and their threads.

From the API (`https://api.helpscout.net` + an OAuth access token, sent as Bearer):

- `GET /v2/conversations?status=all&sortField=createdAt&sortOrder=asc&page=N&embed=threads`
  (HAL: `_embedded.conversations`, `page.totalPages`, each conversation's
  `_embedded.threads` when embedded);
- `GET /v2/conversations/{id}/threads?page=N` when a conversation came without them.

From files (a folder): `conversations.json` (API pages saved as they came, a JSON array, or one
conversation per line), threads under `_embedded.threads` or in `threads/<id>.json`.

Thread `type`: customer (the shopper), message / reply / chat / phone (an agent, or the
shopper when `createdBy.type` is customer), note (private); line items (status changes,
workflows), drafts and other types are left out. Bodies are HTML. Threads come newest first;
they are put in order. `status`: active -> open, pending -> pending, closed -> resolved,
spam -> left out.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storedesk.core.safe_fetch import FetchError
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
from storedesk.importers.http import VendorApi, bearer
from storedesk.importers.records import File, Person, Post, Thread

STATUSES = {"active": "open", "open": "open", "pending": "pending", "closed": "resolved"}
MESSAGE_TYPES = {"customer", "message", "reply", "chat", "phone", "note", "beaconchat"}


API_URL = "https://api.helpscout.net"


def reader(source: str, token: str = "", api_url: str = "",
           ) -> HelpScoutApiReader | HelpScoutFilesReader:
    if source.startswith(("http://", "https://")):
        return HelpScoutApiReader(VendorApi(source, bearer(token)))
    # Attachments of saved API pages are links into the API: fetched with the token, and the
    # token only ever goes to the API's host.
    api = VendorApi(api_url or API_URL, bearer(token)) if token else None
    return HelpScoutFilesReader(Path(source), api)


def person(value: dict[str, Any] | None) -> Person | None:
    if not value:
        return None
    return Person(id=str(value.get("id") or ""),
                  name=full_name(value.get("first"), value.get("last")),
                  email=clean_text(value.get("email")),
                  is_agent=value.get("type") in ("user", "system_user"))


def _threads_of(conversation: dict[str, Any]) -> list[dict[str, Any]] | None:
    embedded = conversation.get("_embedded") or {}
    threads = embedded.get("threads")
    return list(threads) if isinstance(threads, list) else None


def thread(conversation: dict[str, Any], threads: list[dict[str, Any]]) -> Thread:
    conversation_id = str(conversation.get("id"))
    contact = person(conversation.get("primaryCustomer")) or Person("")
    contact.is_agent = False
    status = str(conversation.get("status") or "closed")
    out = Thread(
        id=conversation_id, contact=contact, posts=[],
        subject=clean_text(conversation.get("subject"), 255),
        status=STATUSES.get(status, "resolved"), tags=clean_tags(conversation.get("tags")),
        assignee=person(conversation.get("assignee")),
        at=parse_time(conversation.get("createdAt")),
        closed_at=parse_time(conversation.get("closedAt")),
    )
    if status == "spam":
        out.skip = "spam conversation"
        return out
    for item in threads:
        kind = str(item.get("type") or "")
        if kind not in MESSAGE_TYPES:
            out.extra.setdefault("left_out", []).append(
                f"Help Scout {kind or 'untyped'} thread (not a message)")
            continue
        if item.get("state") in ("draft", "hidden"):
            out.extra.setdefault("left_out", []).append("Help Scout draft or hidden thread")
            continue
        author = person(item.get("createdBy"))
        if author is None or not author.is_agent:
            author = person(item.get("customer")) or author or contact
            author.is_agent = False
        body = item.get("body") or ""
        attachments = (item.get("_embedded") or {}).get("attachments") or []
        out.posts.append(Post(
            id=f"thread:{item.get('id')}", at=parse_time(item.get("createdAt")),
            author=author, text=html_to_text(body), html=body or None,
            private=kind == "note", sender="agent" if author.is_agent else "contact",
            files=[File(filename=str(a.get("filename") or "attachment"),
                        content_type=str(a.get("mimeType") or ""),
                        url=((a.get("_links") or {}).get("data") or {}).get("href"),
                        size=a.get("size"))
                   for a in attachments if isinstance(a, dict)],
        ))
    return out


class HelpScoutApiReader:
    vendor = "helpscout"

    def __init__(self, api: VendorApi) -> None:
        self.api = api
        self.location = api.base_url
        self.total: float | None = None

    def read(self, checkpoint: Any) -> Iterator[Item]:
        page_no = int((checkpoint or {}).get("page", 1))
        skip = int((checkpoint or {}).get("done", 0))
        while True:
            page = self.api.json("/v2/conversations", {
                "status": "all", "sortField": "createdAt", "sortOrder": "asc",
                "page": page_no, "embed": "threads"})
            pages = int((page.get("page") or {}).get("totalPages") or page_no)
            self.total = float(pages)
            conversations = (page.get("_embedded") or {}).get("conversations") or []
            for n, conversation in enumerate(conversations):
                if n < skip:
                    continue
                threads = _threads_of(conversation)
                if threads is None:
                    threads = self._threads(conversation.get("id"))
                yield Item(thread(conversation, threads), {"page": page_no, "done": n + 1},
                           page_no - 1 + (n + 1) / len(conversations))
            skip = 0
            if not conversations or page_no >= pages:
                return
            page_no += 1

    def _threads(self, conversation_id: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page_no = 1
        while True:
            page = self.api.json(f"/v2/conversations/{conversation_id}/threads",
                                 {"page": page_no})
            out += (page.get("_embedded") or {}).get("threads") or []
            if page_no >= int((page.get("page") or {}).get("totalPages") or 1):
                return out
            page_no += 1

    def fetch(self, file: File, max_bytes: int) -> bytes:
        return attachment(self.api, file, max_bytes)


def attachment(api: VendorApi, file: File, max_bytes: int) -> bytes:
    """Help Scout's attachment `data` link answers JSON with the bytes in base64."""
    if not file.url:
        raise FileNotFoundError(file.filename)
    raw = api.file(file.url, max_bytes * 2)
    try:
        document = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(document, dict) and "data" in document:
        data = base64.b64decode(document["data"])
        if len(data) > max_bytes:
            raise FetchError(f"{file.filename} is larger than {max_bytes} bytes.",
                             permanent=True)
        return data
    return raw


class HelpScoutFilesReader:
    vendor = "helpscout"

    def __init__(self, folder: Path, api: VendorApi | None = None) -> None:
        self.folder = folder
        self.api = api
        self.location = str(folder.resolve())
        self.conversations = list(read_records(folder / "conversations.json", "conversations"))
        self.total: float | None = float(len(self.conversations))

    def read(self, checkpoint: Any) -> Iterator[Item]:
        start = int((checkpoint or {}).get("index", 0))
        for index in range(start, len(self.conversations)):
            conversation = self.conversations[index]
            threads = _threads_of(conversation)
            if threads is None:
                path = self.folder / "threads" / f"{conversation.get('id')}.json"
                threads = list(read_records(path, "threads")) if path.exists() else []
            yield Item(thread(conversation, threads), {"index": index + 1}, index + 1)

    def fetch(self, file: File, max_bytes: int) -> bytes:
        if file.url and self.api is not None and urlsplit(file.url).netloc == self.api.host:
            return attachment(self.api, file, max_bytes)
        return export_file(self.folder, file, max_bytes)
