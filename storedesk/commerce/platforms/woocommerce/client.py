"""A small WooCommerce REST API v3 client (``{site}/wp-json/wc/v3/...``), through
`platforms.http` (safe fetch, deadline, bounded retries).

Authentication as WooCommerce documents it: over HTTPS, HTTP Basic with the consumer key and
secret; over plain HTTP (where WooCommerce refuses Basic), one-legged OAuth 1.0a signed with
HMAC-SHA256, built the way `WC_REST_Authentication::check_oauth_signature` checks it (sorted,
raw-URL-encoded parameters joined with ``%3D``/``%26``, key = consumer secret + ``&``).
Errors come back as ``{"code", "message", "data": {"status"}}`` and become `PlatformError`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from storedesk.commerce.platforms import http
from storedesk.commerce.platforms.base import PlatformError

PER_PAGE = 100
MAX_PAGES = 100


def _enc(value: str) -> str:
    return quote(value, safe="-._~")  # PHP rawurlencode


def oauth_params(method: str, url: str, params: dict[str, str], key: str, secret: str,
                 ) -> dict[str, str]:
    """`params` plus the oauth_* parameters and signature WooCommerce expects over HTTP."""
    signed = {**params, "oauth_consumer_key": key, "oauth_nonce": secrets.token_hex(16),
              "oauth_signature_method": "HMAC-SHA256",
              "oauth_timestamp": str(int(time.time()))}
    pairs = [f"{_enc(k)}%3D{_enc(v)}" for k, v in sorted(signed.items())]
    base = "&".join([method.upper(), _enc(url), "%26".join(pairs)])
    digest = hmac.new(f"{secret}&".encode(), base.encode(), hashlib.sha256).digest()
    signed["oauth_signature"] = base64.b64encode(digest).decode()
    return signed


def basic_header(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class WooClient:
    def __init__(self, site_url: str, consumer_key: str, consumer_secret: str) -> None:
        if not site_url:
            raise PlatformError("The store has no site URL.", permanent=True)
        if not consumer_key or not consumer_secret:
            raise PlatformError("The store has no REST API consumer key and secret; connect "
                                "it in Settings → Stores.", permanent=True)
        parts = urlsplit(site_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PlatformError("The site URL must start with https://.", permanent=True)
        self.base = site_url.rstrip("/") + "/wp-json/wc/v3"
        self.secure = parts.scheme == "https"
        self._key = consumer_key
        self._secret = consumer_secret
        self.calls = 0

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
             body: dict[str, Any] | None = None) -> tuple[Any, dict[str, str]]:
        """One request; returns (decoded JSON, response headers)."""
        url = self.base + path
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        headers = {"Accept": "application/json"}
        if self.secure:
            headers["Authorization"] = basic_header(self._key, self._secret)

        def target() -> str:  # signed anew for each attempt: a nonce is single-use
            signed = query if self.secure else oauth_params(method, url, query, self._key,
                                                            self._secret)
            return url + ("?" + urlencode(signed, quote_via=quote) if signed else "")

        content = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.calls += 1
        response = http.request(method, target, headers=headers, body=content)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        status = response.status_code
        if 200 <= status < 300:
            return payload, {k.lower(): v for k, v in response.headers.items()}
        code = payload.get("code", "") if isinstance(payload, dict) else ""
        message = http.error_text(payload, f"HTTP {status}")
        if status in (401, 403):
            raise PlatformError(f"WooCommerce refused the consumer key/secret ({status} "
                                f"{code}): {message}", permanent=True)
        if status == 404 and code == "rest_no_route":
            raise PlatformError("The site has no WooCommerce REST API v3 at /wp-json/wc/v3 "
                                "(is WooCommerce active, are pretty permalinks on?).",
                                permanent=True)
        if status >= 500 and code != "woocommerce_rest_cannot_create_order_refund":
            raise PlatformError(f"WooCommerce failed (HTTP {status}): {message}",
                                permanent=False)
        raise PlatformError(f"WooCommerce refused the request ({status} {code}): {message}",
                            permanent=True)

    def pages(self, path: str, params: dict[str, Any] | None = None,
              ) -> Iterator[list[dict[str, Any]]]:
        """GET a collection page by page, following X-WP-TotalPages."""
        for page in range(1, MAX_PAGES + 1):
            items, headers = self.call("GET", path, params={**(params or {}),
                                                            "per_page": PER_PAGE, "page": page})
            yield list(items or [])
            try:
                total_pages = int(headers.get("x-wp-totalpages", "1"))
            except ValueError:
                total_pages = 1
            if page >= total_pages or not items:
                return
