from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness with honest dependency checks: 503 when the database or the queue is down."""
    from storedesk.core.health import check_database, check_queue

    database = check_database(connection)
    queue = check_queue()
    ok = database == "ok" and queue == "ok"
    body = {"status": "ok" if ok else "error", "database": database, "queue": queue}
    return JsonResponse(body, status=200 if ok else 503)
