"""The inbound webhook endpoint shared by every provider channel: ``POST /hooks/<kind>/<id>/``.

No session, no CSRF token (providers cannot send one): the connector's signature check on the
raw body is the authentication, and it fails closed. See connectors/inbound.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storedesk.connectors import inbound


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, kind: str, inbox_id: int) -> JsonResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return JsonResponse({"detail": f"The body is larger than {limit} bytes."}, status=413)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        accepted = inbound.accept(kind, inbox_id, headers, body)
    except inbound.Refused as exc:
        return JsonResponse({"detail": exc.detail}, status=exc.status)
    return JsonResponse(
        {"id": accepted.event.pk, "duplicate": not accepted.created}, status=202
    )


@csrf_exempt
@require_POST
def store_webhook(request: HttpRequest, platform: str, store_id: int) -> JsonResponse:
    """``POST /hooks/store/<platform>/<store id>/``: Shopify and WooCommerce webhooks."""
    body = request.body
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        accepted = inbound.accept_store(platform, store_id, headers, body)
    except inbound.Refused as exc:
        return JsonResponse({"detail": exc.detail}, status=exc.status)
    return JsonResponse(
        {"id": accepted.event.pk, "duplicate": not accepted.created}, status=202
    )
