"""Outbound calls to store platform APIs, through `core.safe_fetch` (checked addresses, no
proxies, a deadline from connect to last byte, a capped body), with bounded retries.

A platform client asks `request(...)` for one logical call; throttling (HTTP 429 with
``Retry-After``) and passing server trouble (502, 503, 504, timeouts) are retried here, at most
`MAX_ATTEMPTS` times and never past `deadline` seconds for the whole call. Everything else
becomes a `PlatformError` whose `permanent` flag tells the task queue whether a retry later
could help. Secrets never appear in an error message: only the platform's own error text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from storedesk.commerce.platforms.base import PlatformError
from storedesk.core.deadline import deadline as wall_clock
from storedesk.core.safe_fetch import FetchError, FetchResponse, safe_fetch

MAX_ATTEMPTS = 4
CALL_DEADLINE_SECONDS = 30.0  # one logical call, retries and waits included
MAX_WAIT_SECONDS = 10.0  # the longest we sleep before a retry, whatever the server asks
RETRYABLE = {429, 502, 503, 504}
RESPONSE_LIMIT = 8 * 1024 * 1024

# Tests replace the sleep to count waits instead of spending them (never our logic).
sleep: Callable[[float], None] = time.sleep


def retry_after(response: FetchResponse, attempt: int) -> float:
    header = response.headers.get("retry-after", "")
    try:
        wait = float(header)
    except ValueError:
        wait = 0.5 * (2 ** attempt)
    return max(0.0, min(wait, MAX_WAIT_SECONDS))


def request(
    method: str,
    url: str | Callable[[], str],
    *,
    headers: Mapping[str, str],
    body: bytes | None = None,
    deadline: float = CALL_DEADLINE_SECONDS,
    wait_for: Callable[[FetchResponse, int], float | None] | None = None,
) -> FetchResponse:
    """One call with retries. `wait_for(response, attempt)` may ask for a retry of a response
    that looks successful at the HTTP level (Shopify's THROTTLED arrives as HTTP 200): it
    returns the seconds to wait, or None to accept the response. `url` may be a function
    called for each attempt (a request signed with a single-use nonce is signed anew)."""
    started = time.monotonic()
    last_error = "no attempt made"
    with wall_clock(deadline):
        for attempt in range(MAX_ATTEMPTS):
            try:
                target = url() if callable(url) else url
                response = safe_fetch(method, target, headers=headers, content=body,
                                      follow_redirects=False, max_bytes=RESPONSE_LIMIT)
            except FetchError as exc:
                if exc.permanent:
                    raise PlatformError(exc.message, permanent=True) from exc
                last_error = exc.message
                wait = 0.5 * (2 ** attempt)
            else:
                wait_extra = wait_for(response, attempt) if wait_for is not None else None
                if response.status_code in RETRYABLE:
                    last_error = f"HTTP {response.status_code}"
                    wait = retry_after(response, attempt)
                elif wait_extra is not None:
                    last_error = "throttled"
                    wait = min(wait_extra, MAX_WAIT_SECONDS)
                else:
                    return response
            if attempt + 1 == MAX_ATTEMPTS or time.monotonic() - started + wait >= deadline:
                break
            sleep(wait)
    raise PlatformError(f"The store did not answer in time ({last_error}).", permanent=False)


def error_text(payload: Any, fallback: str) -> str:
    """A short, printable message out of a platform's error body (never the request)."""
    if isinstance(payload, dict):
        for key in ("message", "errors", "error"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value[:300]
            if isinstance(value, list) and value:
                first = value[0]
                text = first.get("message") if isinstance(first, dict) else str(first)
                return str(text)[:300]
    return fallback
