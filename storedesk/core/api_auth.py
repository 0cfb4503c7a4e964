"""Bearer-token authentication for the REST API, and the thread pool async handlers use for DB work.

`Authorization: Bearer sd_...`: `request.auth` becomes the token's active Membership; a missing,
unknown, revoked or expired token (or a deactivated seat) makes Ninja answer 401
{"detail": "Unauthorized"}.

Why a DB thread pool: under ASGI, Django runs every sync view in a fresh thread per request
(asgiref's ThreadSensitiveContext), and Django connections are per thread, so each request
opens a new database connection (a PostgreSQL backend fork, several milliseconds) and, with
CONN_MAX_AGE > 0, leaves it open until the thread is gone. Hot async endpoints (the inbound
message API) instead run their database work in a small, long-lived pool whose threads keep
their connections, checked the way Django checks them around each request.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest
from ninja.security import HttpBearer

from storedesk.accounts.queries import membership_for_token

if TYPE_CHECKING:
    from storedesk.accounts.models import Membership

T = TypeVar("T")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        return membership_for_token(token.strip())


token_auth = TokenAuth()


# --- Database work for async handlers ---------------------------------------------------------


def _pool_size() -> int:
    configured = getattr(settings, "API_DB_THREADS", None) or os.environ.get(
        "STOREDESK_API_DB_THREADS"
    )
    if configured:
        return max(1, int(configured))
    # SQLite has one writer at a time: more threads per process only add lock waits.
    return 8 if getattr(settings, "IS_POSTGRES", False) else 1


_executor: ThreadPoolExecutor | None = None


def db_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=_pool_size(), thread_name_prefix="api-db")
    return _executor


def _with_connection_checks(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    # What Django's request_started / request_finished do: drop broken or expired connections.
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


# Off under pytest: a test's data lives in its open transaction on the test thread, which the
# pool's own connections cannot see. Tests that go through a real server turn it on.
USE_DB_POOL: bool = not getattr(settings, "TESTING", False)


async def run_db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run sync ORM code in the long-lived DB pool (keeps contextvars and async_to_sync working)."""
    if not USE_DB_POOL:
        return await sync_to_async(fn, thread_sensitive=True)(*args, **kwargs)
    call = functools.partial(_with_connection_checks, fn, *args, **kwargs)
    return await sync_to_async(call, thread_sensitive=False, executor=db_executor())()


class AsyncTokenAuth(HttpBearer):
    """The same check as TokenAuth, for async operations: the token lookup runs in the DB pool."""

    is_async = True

    async def __call__(self, request: HttpRequest) -> Membership | None:  # type: ignore[override]
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return await run_db(membership_for_token, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        return membership_for_token(token.strip())


async_token_auth = AsyncTokenAuth()
