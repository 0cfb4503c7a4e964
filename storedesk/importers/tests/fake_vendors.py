"""A local HTTP server speaking the documented subset of four helpdesks' APIs, fed from the
same fixture exports the file readers read (tests/fixtures/<vendor>/).

Each vendor's authentication is checked as documented (Zendesk `EMAIL/token:TOKEN` Basic,
Freshdesk `KEY:X` Basic, Gorgias `EMAIL:KEY` Basic, Help Scout Bearer), pages are small (two
items) so pagination is exercised in each vendor's own style (Zendesk `after_cursor` +
`end_of_stream`, Freshdesk `Link: rel="next"`, Gorgias `meta.next_cursor`, Help Scout
`page.totalPages`), the first request of a run answers 429 with `Retry-After: 0`, and
attachments are served under /files/ (Help Scout's attachment `data` link answers JSON with
base64). Every request is logged in `requests`.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from storedesk.importers.cleaning import parse_time, read_records

PAGE = 2
ZENDESK_AUTH = "Basic " + base64.b64encode(b"ahmet@harbor.test/token:ZTOKEN").decode()
FRESHDESK_AUTH = "Basic " + base64.b64encode(b"FKEY:X").decode()
GORGIAS_AUTH = "Basic " + base64.b64encode(b"ahmet@harbor.test:GKEY").decode()
HELPSCOUT_AUTH = "Bearer HSTOKEN"

FILES = {
    "broken-vase.png": b"\x89PNG\r\n\x1a\n" + b"broken vase pixels " * 3,
    "etykieta.pdf": b"%PDF-1.4 etykieta zwrotna\n%%EOF\n",
    "coffee.jpg": b"\xff\xd8\xff\xe0 coffee bag photo \xff\xd9",
    "label-retur.pdf": b"%PDF-1.4 label retur\n%%EOF\n",
}


class FakeVendors:
    def __init__(self, fixtures: Path) -> None:
        self.fixtures = fixtures  # a copy with FAKE_SERVER replaced by this server's address
        self.requests: list[str] = []
        self.throttled = False
        self.freshdesk_max_pages = 300
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeVendors:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _records(self, vendor: str, name: str, key: str) -> list[Any]:
        return list(read_records(self.fixtures / vendor / name, key))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                fake.requests.append(self.path)
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                if url.path.startswith("/files/"):
                    return self._file(url.path.removeprefix("/files/"))
                if not fake.throttled:
                    fake.throttled = True
                    return self._send(429, {"error": "slow down"}, {"Retry-After": "0"})
                for prefix, route in (
                    ("/api/v2/incremental/", self._zendesk), ("/api/v2/tickets/", self._api_v2),
                    ("/api/v2/users/", self._zendesk), ("/api/v2/agents", self._freshdesk),
                    ("/api/v2/tickets", self._freshdesk), ("/api/tickets", self._gorgias),
                    ("/v2/conversations", self._helpscout),
                ):
                    if url.path.startswith(prefix):
                        return route(url.path, query)
                return self._send(404, {"error": "no such route"})

            # -- helpers ---------------------------------------------------------------

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
                      ) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            def _file(self, name: str) -> None:
                data = FILES.get(name)
                if data is None:
                    return self._send(404, {"error": "gone"})
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorized(self, expected: str) -> bool:
                if self.headers.get("Authorization") == expected:
                    return True
                self._send(401, {"error": "Couldn't authenticate you"})
                return False

            def _api_v2(self, path: str, query: dict[str, str]) -> None:
                if path.endswith("/comments.json"):
                    return self._zendesk(path, query)
                return self._freshdesk(path, query)

            # -- Zendesk ---------------------------------------------------------------

            def _zendesk(self, path: str, query: dict[str, str]) -> None:
                if not self._authorized(ZENDESK_AUTH):
                    return None
                tickets = fake._records("zendesk", "tickets.json", "tickets")
                users = {str(u["id"]): u for u in fake._records("zendesk", "users.json",
                                                                 "users")}
                if path == "/api/v2/incremental/tickets/cursor.json":
                    if "cursor" not in query and query.get("start_time") != "0":
                        return self._send(400, {"error": "start_time or cursor required"})
                    start = int(query.get("cursor", "c0")[1:])
                    page = tickets[start:start + PAGE]
                    end = start + PAGE >= len(tickets)
                    sideload = [users[str(t["requester_id"])] for t in page
                                if query.get("include") == "users"]
                    return self._send(200, {
                        "tickets": [{k: v for k, v in t.items() if k != "comments"}
                                    for t in page],
                        "users": sideload, "end_of_stream": end,
                        "after_cursor": None if end else f"c{start + PAGE}",
                        "after_url": None,
                    })
                if path.endswith("/comments.json"):
                    ticket_id = path.split("/")[-2]
                    comments = next(t["comments"] for t in tickets if str(t["id"]) == ticket_id)
                    start = int(query.get("page", "1")) - 1
                    page = comments[start * PAGE:(start + 1) * PAGE]
                    more = (start + 1) * PAGE < len(comments)
                    next_page = f"{fake.base}{path}?page={start + 2}" if more else None
                    return self._send(200, {"comments": page, "next_page": next_page})
                if path == "/api/v2/users/show_many.json":
                    ids = query.get("ids", "").split(",")
                    return self._send(200, {"users": [users[i] for i in ids if i in users]})
                return self._send(404, {"error": "no such route"})

            # -- Freshdesk -------------------------------------------------------------

            def _paged_list(self, items: list[Any], path: str, query: dict[str, str]) -> None:
                page = int(query.get("page", "1"))
                chunk = items[(page - 1) * PAGE:page * PAGE]
                headers = {}
                if page * PAGE < len(items):
                    rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "page")
                    headers["Link"] = f'<{fake.base}{path}?{rest}&page={page + 1}>; rel="next"'
                return self._send(200, chunk, headers)

            def _freshdesk(self, path: str, query: dict[str, str]) -> None:
                if not self._authorized(FRESHDESK_AUTH):
                    return None
                tickets = fake._records("freshdesk", "tickets.json", "tickets")
                if path == "/api/v2/agents":
                    return self._paged_list(fake._records("freshdesk", "agents.json",
                                                          "agents"), path, query)
                if path == "/api/v2/tickets":
                    if "updated_since" not in query or "requester" not in query.get(
                            "include", ""):
                        return self._send(400, {"description": "Validation failed"})
                    # as documented: tickets updated at or after updated_since, sorted by
                    # order_by, and no page past the 300th (here `freshdesk_max_pages`)
                    if int(query.get("page", "1")) > fake.freshdesk_max_pages:
                        return self._send(400, {"description": "Validation failed", "errors": [
                            {"field": "page", "code": "invalid_value", "message":
                             "You cannot access tickets beyond the 300th page."}]})
                    since = parse_time(query["updated_since"])
                    listed = [{k: v for k, v in t.items() if k != "conversations"}
                              for t in tickets
                              if since is None or (parse_time(t.get("updated_at")) or since)
                              >= since]
                    if query.get("order_by") == "updated_at":
                        listed.sort(key=lambda t: (parse_time(t.get("updated_at")), t["id"]))
                    return self._paged_list(listed, path, query)
                if path.endswith("/conversations"):
                    ticket_id = path.split("/")[-2]
                    items = next(t["conversations"] for t in tickets
                                 if str(t["id"]) == ticket_id)
                    return self._paged_list(items, path, query)
                return self._send(404, {"code": "not_found"})

            # -- Gorgias ---------------------------------------------------------------

            def _cursor_page(self, items: list[Any], query: dict[str, str]) -> None:
                start = int(query.get("cursor") or 0)
                end = start + PAGE
                return self._send(200, {"data": items[start:end], "meta": {
                    "next_cursor": str(end) if end < len(items) else None,
                    "prev_cursor": None}})

            def _gorgias(self, path: str, query: dict[str, str]) -> None:
                if not self._authorized(GORGIAS_AUTH):
                    return None
                tickets = fake._records("gorgias", "tickets.json", "data")
                if path == "/api/tickets":
                    return self._cursor_page(
                        [{k: v for k, v in t.items() if k != "messages"} for t in tickets],
                        query)
                if path.endswith("/messages"):
                    ticket_id = path.split("/")[-2]
                    return self._cursor_page(next(t["messages"] for t in tickets
                                                  if str(t["id"]) == ticket_id), query)
                return self._send(404, {"error": "no such route"})

            # -- Help Scout -------------------------------------------------------------

            def _helpscout(self, path: str, query: dict[str, str]) -> None:
                if not self._authorized(HELPSCOUT_AUTH):
                    return None
                conversations = fake._records("helpscout", "conversations.json",
                                              "conversations")
                parts = path.strip("/").split("/")
                if path == "/v2/conversations":
                    page = int(query.get("page", "1"))
                    chunk = conversations[(page - 1) * PAGE:page * PAGE]
                    shown = []
                    for c in chunk:
                        c = dict(c)
                        if query.get("embed") != "threads" or c["id"] % 2:
                            c.pop("_embedded", None)  # odd ids: threads fetched separately
                        shown.append(c)
                    pages = -(-len(conversations) // PAGE)
                    return self._send(200, {
                        "_embedded": {"conversations": shown},
                        "page": {"size": PAGE, "totalElements": len(conversations),
                                 "totalPages": pages, "number": page}})
                if len(parts) == 4 and parts[3] == "threads":
                    conversation = next(c for c in conversations if str(c["id"]) == parts[2])
                    threads = conversation["_embedded"]["threads"]
                    page = int(query.get("page", "1"))
                    return self._send(200, {
                        "_embedded": {"threads": threads[(page - 1) * PAGE:page * PAGE]},
                        "page": {"size": PAGE, "totalElements": len(threads),
                                 "totalPages": -(-len(threads) // PAGE), "number": page}})
                if len(parts) == 6 and parts[3] == "attachments" and parts[5] == "data":
                    return self._send(200, {"data": base64.b64encode(
                        FILES["label-retur.pdf"]).decode()})
                return self._send(404, {"error": "no such route"})

        return Handler
