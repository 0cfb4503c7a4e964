"""Reading a vendor's API: every request through `core.safe_fetch` (checked addresses, time and
size caps), JSON pages, 429/5xx retried after the server's Retry-After, files size-capped."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings

from storedesk.core.safe_fetch import FetchError, FetchResponse, safe_fetch

PAGE_MAX_BYTES = 64 * 1024 * 1024
ATTEMPTS = 5
LONGEST_WAIT = 60.0


class VendorError(Exception):
    """The vendor refused or failed a request (after retries); says which and why."""


def basic(user: str, password: str) -> dict[str, str]:
    raw = f"{user}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class VendorApi:
    def __init__(self, base_url: str, headers: Mapping[str, str], *,
                 sleep: Any = time.sleep) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = {"Accept": "application/json", **headers}
        self.host = urlsplit(self.base_url).netloc
        self.sleep = sleep
        self.requests = 0

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        url = path if path.startswith(("http://", "https://")) else urljoin(
            self.base_url, path.lstrip("/"))
        if params:
            url += ("&" if "?" in url else "?") + urlencode(
                {k: v for k, v in params.items() if v is not None})
        return url

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> FetchResponse:
        url = self.url(path, params)
        if urlsplit(url).netloc != self.host:
            raise VendorError(f"{url} is not on {self.host}; refusing to send the token there.")
        try:
            response = self._get(url, self.headers, PAGE_MAX_BYTES, 30.0)
        except FetchError as exc:
            raise VendorError(f"GET {url}: {exc.message}") from exc
        if not response.is_success:
            raise VendorError(f"GET {url} answered {response.status_code}: "
                              f"{response.text[:200]}")
        return response

    def json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.get(path, params)
        try:
            return response.json()
        except ValueError as exc:
            raise VendorError(f"GET {path}: the answer is not JSON.") from exc

    def file(self, url: str, max_bytes: int) -> bytes:
        """An attachment's bytes; the token goes only to the API's own host."""
        headers = self.headers if urlsplit(url).netloc == self.host else {}
        response = self._get(url, headers, max_bytes, 60.0)
        if not response.is_success:
            raise FetchError(f"{url} answered {response.status_code}",
                             permanent=response.status_code < 500,
                             status_code=response.status_code)
        return response.content

    def _get(self, url: str, headers: Mapping[str, str], max_bytes: int,
             timeout: float) -> FetchResponse:
        """One GET, retried on 429 and 5xx (after Retry-After) and on passing network errors;
        the last answer is returned, whatever it is."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = safe_fetch("GET", url, headers=headers, max_bytes=max_bytes,
                                      timeout=max(settings.FETCH_TIMEOUT_SECONDS, timeout))
            except FetchError as exc:
                if exc.permanent or attempt == ATTEMPTS:
                    raise
                self.sleep(min(2.0 ** attempt, LONGEST_WAIT))
                continue
            self.requests += 1
            if (response.status_code == 429 or response.status_code >= 500) \
                    and attempt < ATTEMPTS:
                self.sleep(_retry_after(response, attempt))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(response: FetchResponse, attempt: int) -> float:
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.5), LONGEST_WAIT)
    except ValueError:
        return min(2.0 ** attempt, LONGEST_WAIT)


_NEXT = re.compile(r'<([^>]*)>\s*;[^,<]*\brel="?next"?', re.IGNORECASE)


def next_link(response: FetchResponse) -> str | None:
    """The `rel="next"` URL of an RFC 8288 Link header (Freshdesk's pagination)."""
    found = _NEXT.search(response.headers.get("link", ""))
    return found.group(1) if found else None
