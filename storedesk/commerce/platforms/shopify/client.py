"""A small Shopify Admin GraphQL API client: one POST per document to
``https://{shop}/admin/api/{API_VERSION}/graphql.json`` with the app's access token in
``X-Shopify-Access-Token``, through `platforms.http` (safe fetch, deadline, bounded retries).

Rate limits follow Shopify's calculated query cost: every answer carries
``extensions.cost.throttleStatus`` (``currentlyAvailable``, ``restoreRate``); the client keeps
the last one and, before a query whose last requested cost is above what is available, waits
for the bucket to refill. A ``THROTTLED`` error (HTTP 200 or 429) is retried after the wait the
cost data asks for. Top-level ``errors`` (a bad query, a missing scope) and ``userErrors`` of
mutations become a `PlatformError` with Shopify's message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from storedesk.commerce.platforms import http
from storedesk.commerce.platforms.base import PlatformError
from storedesk.core.safe_fetch import FetchResponse

API_VERSION = "2026-10"
PAGE_SIZE = 50
MAX_PAGES = 200  # one reconciliation run reads at most 10,000 orders; the next run goes on


def gid(kind: str, legacy_id: str) -> str:
    return legacy_id if legacy_id.startswith("gid://") else f"gid://shopify/{kind}/{legacy_id}"


def legacy_id(global_id: str) -> str:
    """The numeric tail of a global id (what webhooks and our rows use)."""
    return global_id.rsplit("/", 1)[-1].split("?", 1)[0]


@dataclass
class Throttle:
    currently_available: float = 1000.0
    restore_rate: float = 50.0
    last_requested: float = 0.0

    def wait_before(self) -> float:
        missing = self.last_requested - self.currently_available
        return missing / self.restore_rate if missing > 0 and self.restore_rate > 0 else 0.0

    def update(self, cost: dict[str, Any]) -> None:
        status = cost.get("throttleStatus") or {}
        try:
            self.currently_available = float(status.get("currentlyAvailable",
                                                        self.currently_available))
            self.restore_rate = float(status.get("restoreRate", self.restore_rate)) or 1.0
            self.last_requested = float(cost.get("requestedQueryCost") or 0)
        except (TypeError, ValueError):
            pass


def _throttled(payload: Any) -> bool:
    errors = payload.get("errors") if isinstance(payload, dict) else None
    return isinstance(errors, list) and any(
        isinstance(e, dict) and ((e.get("extensions") or {}).get("code") == "THROTTLED"
                                 or e.get("message") == "Throttled")
        for e in errors
    )


class ShopifyClient:
    def __init__(self, shop_domain: str, access_token: str, *, api_base: str = "") -> None:
        if not access_token:
            raise PlatformError("The store has no Admin API access token; connect it in "
                                "Settings → Stores.", permanent=True)
        if not shop_domain and not api_base:
            raise PlatformError("The store has no shop domain.", permanent=True)
        base = (api_base or f"https://{shop_domain}").rstrip("/")
        self.url = f"{base}/admin/api/{API_VERSION}/graphql.json"
        self._token = access_token
        self.throttle = Throttle()
        self.calls = 0
        self.waits: list[float] = []

    # --- transport ------------------------------------------------------------------------

    def _wait_for(self, response: FetchResponse, attempt: int) -> float | None:
        if response.status_code not in (200, 429):
            return None
        try:
            payload = response.json()
        except ValueError:
            return None
        if isinstance(payload, dict) and isinstance(payload.get("extensions"), dict):
            self.throttle.update(payload["extensions"].get("cost") or {})
        if _throttled(payload):
            wait = max(self.throttle.wait_before(), 0.5 * (attempt + 1))
            self.waits.append(wait)
            return wait
        return None

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one document; returns `data`. Raises PlatformError on any error."""
        wait = self.throttle.wait_before()
        if wait > 0:
            self.waits.append(min(wait, http.MAX_WAIT_SECONDS))
            http.sleep(min(wait, http.MAX_WAIT_SECONDS))
        body = json.dumps({"query": document, "variables": variables or {}}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "X-Shopify-Access-Token": self._token}
        self.calls += 1
        response = http.request("POST", self.url, headers=headers, body=body,
                                wait_for=self._wait_for)
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if status == 401:
            raise PlatformError("Shopify refused the access token (401): check it in the "
                                "store settings.", permanent=True)
        if status == 402:
            raise PlatformError("The shop is frozen (402 Payment Required).", permanent=True)
        if status == 403:
            raise PlatformError("Shopify refused the call (403): "
                                + http.error_text(payload, "the app lacks an access scope."),
                                permanent=True)
        if status == 404:
            raise PlatformError("Shopify answered 404: check the shop domain.", permanent=True)
        if status == 423:
            raise PlatformError("The shop is locked (423).", permanent=True)
        if status >= 500:
            raise PlatformError(f"Shopify failed (HTTP {status}).", permanent=False)
        if status != 200 or not isinstance(payload, dict):
            raise PlatformError(f"Unexpected answer from Shopify (HTTP {status}).",
                                permanent=status < 500)
        if payload.get("errors"):
            if _throttled(payload):
                raise PlatformError("Shopify kept throttling the requests.", permanent=False)
            raise PlatformError("Shopify refused the query: "
                                + http.error_text(payload, "unknown error"), permanent=True)
        data = payload.get("data")
        if not isinstance(data, dict):
            raise PlatformError("Shopify answered without data.", permanent=False)
        return data

    def mutate(self, document: str, variables: dict[str, Any], field: str,
               errors_key: str = "userErrors") -> dict[str, Any]:
        result = self.execute(document, variables).get(field)
        if not isinstance(result, dict):
            raise PlatformError(f"Shopify answered {field} without a payload.", permanent=False)
        errors = result.get(errors_key) or []
        if errors:
            text = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))
            raise PlatformError(f"Shopify refused {field}: {text}", permanent=True)
        return result

    # --- paged reads ------------------------------------------------------------------------

    def pages(self, document: str, field: str, variables: dict[str, Any] | None = None,
              *, after: str | None = None) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
        """Yield (nodes, cursor after them) page by page, at most MAX_PAGES pages."""
        for _ in range(MAX_PAGES):
            data = self.execute(document, {"first": PAGE_SIZE, "after": after,
                                           **(variables or {})})
            connection = data.get(field) or {}
            info = connection.get("pageInfo") or {}
            after = info.get("endCursor") or after
            yield list(connection.get("nodes") or []), after
            if not info.get("hasNextPage"):
                return
