from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse


def rate_limited_view(request: HttpRequest, exception: Any) -> JsonResponse:
    return JsonResponse({"detail": "Too many requests. Try again in a minute."}, status=429)
