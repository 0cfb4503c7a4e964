"""The provider-webhook endpoint as a lean ASGI route, in front of Django.

``POST /hooks/<kind>/<inbox id>/`` is the hot path of a webhook storm: verify the signature on
the raw bytes, one INSERT, 202 (connectors/inbound.py). Through Django it also ran fifteen
middlewares, URL resolution and a response object for nothing (no session, no CSRF, no user, no
template; see bench/README.md "Webhook storms"). This route answers exactly that path and
method itself, with the same checks and answers as `connectors.views.webhook` (which the test
client and any other method still reach):

- the Host header is checked against ``ALLOWED_HOSTS`` (400 otherwise, as Django does);
- a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with 413 before it is read whole;
- the verified events of concurrent requests are written together (a group commit,
  core/group_commit.py): one writer thread per process takes what is queued, runs
  `inbound.accept_many` on it (one SELECT of the inboxes, the signatures, one multi-row
  ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, one drain kick), keeps its database
  connection while batches keep coming (``close_old_connections`` once the queue is empty,
  as Django's request signals do after a request), and answers each request once its batch
  is committed: a 202 means the event is durable. Should a batch fail as a whole (a database
  error), its pushes are accepted one by one, so only the bad one is answered 503 (the
  provider sends it again);
- answers are JSON ``{"detail"}`` / ``{"id", "duplicate"}`` with ``nosniff`` and ``no-store``.

Everything else (store webhooks under ``/hooks/store/...``, other paths, other methods) goes
to the wrapped application unchanged.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.http.request import split_domain_port, validate_host

from storedesk.connectors import inbound
from storedesk.core.group_commit import GroupCommit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

HOOK_PATH = re.compile(r"^/hooks/(?P<kind>[a-z0-9_-]{1,16})/(?P<inbox_id>[0-9]{1,18})/$")


class TooLarge(Exception):
    pass


Answer = tuple[int, dict[str, Any]]
MAX_BATCH = 200
UNAVAILABLE: Answer = (503, {"detail": "The event could not be stored; send it again."})
logger = logging.getLogger(__name__)


def _answer_for(result: inbound.Accepted | inbound.Refused) -> Answer:
    if isinstance(result, inbound.Refused):
        return result.status, {"detail": result.detail}
    return 202, {"id": result.event.pk, "duplicate": not result.created}


def accept_batch(pushes: Sequence[inbound.Push]) -> list[Answer]:
    """The group commit's write (in its writer thread): one answer per push, in order. The
    writer keeps its database connection from batch to batch while requests keep coming
    (`release_connection` gives it back when the queue runs dry); a database error drops it."""
    try:
        return [_answer_for(r) for r in inbound.accept_many(pushes)]
    except DatabaseError:
        connection.close()
        if len(pushes) == 1:
            logger.exception("a provider webhook could not be stored")
            return [UNAVAILABLE]
    # One push the database refuses must not cost the others their place: one by one.
    return [accept_batch([push])[0] for push in pushes]


def release_connection() -> None:
    """Connection hygiene when the writer goes idle, as Django's request signals do."""
    close_old_connections()


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise TooLarge  # nobody to answer; treated as refused
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"cache-control", b"no-store"),
        ],
    })
    await send({"type": "http.response.body", "body": body})


def _host_allowed(headers: dict[str, str]) -> bool:
    domain, _port = split_domain_port(headers.get("host", ""))
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


class WebhookRoute:
    """ASGI middleware: serves ``POST /hooks/<kind>/<id>/`` itself, passes the rest on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._group: GroupCommit[inbound.Push, Answer] | None = None

    def _group_commit(self) -> GroupCommit[inbound.Push, Answer]:
        if self._group is None:
            self._group = GroupCommit(accept_batch, failed=UNAVAILABLE, max_batch=MAX_BATCH,
                                      name="webhook-accept", idle=release_connection)
        return self._group

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = HOOK_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if not _host_allowed(headers):
            await _answer(send, 400, {"detail": "Invalid host header."})
            return
        limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            declared = int(headers.get("content-length", "0") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > limit:
                raise TooLarge
            body = await _read_body(receive, limit)
        except TooLarge:
            await _answer(send, 413, {"detail": f"The body is larger than {limit} bytes."})
            return
        push = inbound.Push(match["kind"], int(match["inbox_id"]), headers, body)
        status, payload = await self._group_commit().submit(push)
        await _answer(send, status, payload)
