from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from storedesk.core.health import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness with honest dependency checks: 503 when the database or the queue is down."""
    body, ok = health()
    return JsonResponse(body, status=200 if ok else 503)
