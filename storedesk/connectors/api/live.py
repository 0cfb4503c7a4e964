"""The live ingest route: `POST /api/v1/inboxes/{id}/messages` with an integration key, served in
front of Django (config/asgi.py) because Django's request handling, Ninja and a transaction per
message cost ten times the write itself (bench/README.md, "Ingest").

It answers only what it can answer exactly as the Ninja endpoint (connectors/api/inbound.py)
would: a well-formed request with an integration key (`sdi_...`), a JSON body valid for the same
schema (`InboundIn`), no cookies, an allowed Host, on a scheme Django would not redirect; the
message is then written through the group commit (group_commit.py) and answered 201 or 200 with
the same body and headers. Everything else (an admin's personal token, a bad body, a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, an unknown or revoked key, a wrong inbox, the rate limit, a message
the action refuses) is passed to Django with the body already read, plus the rate-limit verdict
when this route counted the request (`core.ratelimit.THROTTLE_VERDICT`), so every error answer
is Django's own.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache, partial
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.translation import get_language_from_request
from pydantic import ValidationError

from storedesk.accounts.models import hash_token
from storedesk.connectors.api.group_commit import (
    MAX_BATCH,
    Answer,
    Delegate,
    Outcome,
    Pending,
    Throttle,
    write_batch,
)
from storedesk.connectors.api.schemas import InboundIn
from storedesk.connectors.models import IntegrationKey
from storedesk.core.group_commit import GroupCommit
from storedesk.core.middleware import policy
from storedesk.core.ratelimit import THROTTLE_VERDICT

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

# Marks, among the request's headers, one that arrived over HTTPS (a name no client can send).
SECURE = b" secure"
PATH = re.compile(r"/api/v1/inboxes/([0-9]{1,18})/messages")


class LiveInboundRoute:
    """ASGI middleware: the live ingest route, everything else straight to `app`."""

    def __init__(self, app: ASGIApp, throttle: Throttle) -> None:
        self.app = app
        self.throttle = throttle
        self._group: GroupCommit[Pending, Outcome] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        match = PATH.fullmatch(scope["path"])
        headers = _headers(scope) if match else None
        if match is None or headers is None:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        replay = _replay(body, more, receive)
        pending = _pending(headers, int(match.group(1)), body) if not more else None
        if pending is None:
            await self.app(scope, replay, send)
            return
        outcome = await self._group_commit().submit(pending)
        if isinstance(outcome, Delegate):
            if outcome.verdict is not None:
                scope = {**scope, THROTTLE_VERDICT: outcome.verdict}
            await self.app(scope, replay, send)
            return
        await _answer(send, outcome, headers)

    def _group_commit(self) -> GroupCommit[Pending, Outcome]:
        if self._group is None:
            # A batch that fails as a whole: each request goes through Django.
            self._group = GroupCommit(partial(write_batch, throttle=self.throttle),
                                      failed=Delegate(None), max_batch=MAX_BATCH,
                                      name="ingest-writer")
        return self._group


def _headers(scope: Scope) -> dict[bytes, bytes] | None:
    """The request's headers when this route may answer it (else None: Django answers)."""
    headers: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", []):
        name = name.lower()
        if name in headers or name == b"cookie":
            # A repeated header or a cookie (a signed-in browser: session, language, CSRF).
            return None
        headers[name] = value
    host = headers.get(b"host", b"")
    if settings.USE_X_FORWARDED_HOST and b"x-forwarded-host" in headers:
        host = headers[b"x-forwarded-host"]
    if not _host_allowed(host.decode("latin-1")):
        return None
    secure = _is_secure(scope, headers)
    if settings.SECURE_SSL_REDIRECT and not secure:
        return None  # Django redirects it
    if secure:
        headers[SECURE] = b"1"
    return headers


def _host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def _is_secure(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        header, secure_value = proxy
        name = header.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = headers.get(name)
        if value is not None:
            return value.decode("latin-1").split(",")[0].strip() == secure_value
    return bool(scope.get("scheme") == "https")


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """The body, up to `limit` bytes; past that, the messages read so far for Django to read
    again (it answers 413 as the endpoint does)."""
    chunks: list[bytes] = []
    size = 0
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return b"", messages  # the client went away: Django sees the same
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > limit:
            return b"", messages
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, read: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives Django the body again, then the client's later messages."""
    queued = list(read) or [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        if queued:
            return queued.pop(0)
        return await receive()

    return replay


def _pending(headers: dict[bytes, bytes], inbox_id: int, body: bytes) -> Pending | None:
    raw = _bearer(headers.get(b"authorization", b"").decode("latin-1"))
    if raw is None or not raw.startswith(IntegrationKey.PREFIX):
        return None  # no token, or an admin's personal token: Django
    try:
        payload = InboundIn.model_validate(json.loads(body))
    except (ValueError, ValidationError):  # not JSON, or not the schema: Django's 422
        return None
    return Pending(key_hash=hash_token(raw), inbox_id=inbox_id, payload=payload)


def _bearer(value: str) -> str | None:
    """The token as Ninja's HttpBearer and connectors/auth.py read it."""
    if not value:
        return None
    parts = value.split(" ")
    if parts[0].lower() != "bearer":
        return None
    return " ".join(parts[1:]).strip()


async def _answer(send: Send, answer: Answer, headers: dict[bytes, bytes]) -> None:
    body = json.dumps(
        {"conversation_id": answer.conversation_id, "message_id": answer.message_id}
    ).encode()
    language = _language(headers.get(b"accept-language", b"").decode("latin-1"))
    response_headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *_security_headers(language, secure=SECURE in headers),
        (b"content-security-policy", policy(secrets.token_urlsafe(16)).encode()),
    ]
    await send({"type": "http.response.start", "status": answer.status,
                "headers": response_headers})
    await send({"type": "http.response.body", "body": body})


@lru_cache(maxsize=256)
def _language(accept_language: str) -> str:
    """The Content-Language Django's LocaleMiddleware would send (no cookie, no path prefix)."""

    class _Request:
        COOKIES: dict[str, str] = {}
        META = {"HTTP_ACCEPT_LANGUAGE": accept_language}

    return str(get_language_from_request(_Request()))  # type: ignore[arg-type]


def _security_headers(language: str, *, secure: bool) -> list[tuple[bytes, bytes]]:
    """What Django's middleware adds to the endpoint's answer (checked header by header in
    connectors/api/tests/test_live_route.py)."""
    headers = [
        (b"x-frame-options", str(settings.X_FRAME_OPTIONS).encode()),
        (b"vary", b"Accept-Language, Cookie"),
        (b"content-language", language.encode()),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append((b"referrer-policy", str(settings.SECURE_REFERRER_POLICY).encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append((b"cross-origin-opener-policy",
                        str(settings.SECURE_CROSS_ORIGIN_OPENER_POLICY).encode()))
    if settings.SECURE_HSTS_SECONDS and secure:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append((b"strict-transport-security", hsts.encode()))
    return headers
