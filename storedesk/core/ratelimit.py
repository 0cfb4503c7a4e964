"""Rate limits: the 429 view of django-ratelimit and fixed-window failure counters.

Counters live in the shared cache (Redis at scale). `count_failure` / `is_over` count only what
the caller reports (failed sign-ins), so a legitimate user who gets in is never counted.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse

# The ASGI scope key in which a route that counted a request against the API rate limit itself
# (connectors/api/live.py, many requests at a time) hands its verdict to Django's throttle when
# it passes the request on: True (allowed, already counted) or False (over the limit: 429).
THROTTLE_VERDICT = "storedesk.throttle_verdict"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_limited_view(request: HttpRequest, exception: Any) -> JsonResponse:
    return JsonResponse({"detail": "Too many requests. Try again in a minute."}, status=429)


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' -> (10, 60); '5/h' -> (5, 3600); '100/30s' -> (100, 30)."""
    count, _, period = rate.partition("/")
    unit = period[-1:] or "m"
    multiplier = int(period[:-1]) if period[:-1].isdigit() else 1
    return int(count), multiplier * _UNITS[unit]


def _window_key(name: str, seconds: int) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    return f"rl:{digest}:{seconds}:{int(time.time() // seconds)}"


def is_over(name: str, rate: str) -> bool:
    limit, seconds = parse_rate(rate)
    return int(cache.get(_window_key(name, seconds)) or 0) >= limit


def count_failure(name: str, rate: str) -> None:
    _limit, seconds = parse_rate(rate)
    key = _window_key(name, seconds)
    cache.add(key, 0, seconds + 5)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds + 5)
