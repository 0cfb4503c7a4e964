from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from storedesk.core.health import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Honest dependency checks: 503 when the database is down (or, with ?strict=1, any part);
    "degraded" with the failing parts named when only Redis-backed parts are down."""
    body, ok = health(strict=request.GET.get("strict") == "1")
    return JsonResponse(body, status=200 if ok else 503)
