"""The one NinjaAPI: /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Storedesk API", version="1", urls_namespace="api")
