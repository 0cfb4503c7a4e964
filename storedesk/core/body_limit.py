"""The per-request body cap, enforced in front of Django before the body is read.

Django reads the whole request body (spooled to a temporary file) before a view runs, so a
limit checked in a view or an upload handler comes after the bytes were received. This ASGI
wrapper refuses a request whose Content-Length is over settings.UPLOAD_MAX_REQUEST_BYTES at
once, and stops a body without Content-Length (chunked) as soon as it passes the cap. The answer
is 413: JSON `{"detail"}` under /api/, a short page elsewhere (the UI shows it as a toast).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from html import escape
from typing import Any

from django.conf import settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]


def too_large_detail(limit: int) -> str:
    return (
        f"The request is larger than the {limit // (1024 * 1024)} MiB limit per request "
        f"(attachments: at most {settings.ATTACHMENT_MAX_COUNT} files, "
        f"{settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MiB each, "
        f"{settings.ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024)} MiB per message)."
    )


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = int(settings.UPLOAD_MAX_REQUEST_BYTES)
        length = _content_length(scope)
        if length is not None and length > limit:
            await _refuse(scope, send, limit)
            return
        if length is not None:
            await self.app(scope, receive, send)
            return
        # No Content-Length: count while streaming, answer 413 once over, and tell the app the
        # client went away (Django then abandons the request without answering).
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await _refuse(scope, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    detail = too_large_detail(limit)
    if str(scope.get("path", "")).startswith("/api/"):
        body = json.dumps({"detail": detail}).encode()
        content_type = b"application/json"
    else:
        body = (
            "<!doctype html><title>413 Request too large</title>"
            f"<p>{escape(detail)}</p>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    })
    await send({"type": "http.response.body", "body": body})
