"""The inbound webhook endpoint shared by every provider channel: ``POST /hooks/<kind>/<id>/``.

No session, no CSRF token (providers cannot send one): the connector's signature check on the
raw body is the authentication, and it fails closed. See connectors/inbound.py.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storedesk.connectors import inbound


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, kind: str, inbox_id: int) -> JsonResponse:
    body = request.body
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        accepted = inbound.accept(kind, inbox_id, headers, body)
    except inbound.Refused as exc:
        return JsonResponse({"detail": exc.detail}, status=exc.status)
    return JsonResponse(
        {"id": accepted.event.pk, "duplicate": not accepted.created}, status=202
    )
