"""System checks for the realtime setup (run by `manage.py check`)."""

from __future__ import annotations

import inspect
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string


def _default_socket_timeout() -> float | None:
    """redis-py's default read timeout for asyncio connections (None before redis-py 8)."""
    try:
        from redis.asyncio.connection import AbstractConnection
    except ImportError:  # pragma: no cover - redis is a dependency
        return None
    parameter = inspect.signature(AbstractConnection.__init__).parameters.get("socket_timeout")
    if parameter is None or not isinstance(parameter.default, int | float):
        return None
    return float(parameter.default)


def _socket_timeout(host: Any) -> float | None:
    options: dict[str, Any] = {}
    address = host if isinstance(host, str) else None
    if isinstance(host, dict):
        options = host
        address = host.get("address")
    if isinstance(address, str):
        query = parse_qs(urlsplit(address).query)
        if "socket_timeout" in query:
            return float(query["socket_timeout"][0])
    if "socket_timeout" in options:
        value = options["socket_timeout"]
        return None if value is None else float(value)
    return _default_socket_timeout()


@checks.register(checks.Tags.compatibility)
def check_redis_layer_read_timeout(**kwargs: Any) -> list[checks.CheckMessage]:
    """channels_redis blocks BZPOPMIN for `brpop_timeout` seconds per read; a redis socket
    timeout not longer than that kills idle consumers ("Timeout reading from ...")."""
    layer = getattr(settings, "CHANNEL_LAYERS", {}).get("default", {})
    backend = layer.get("BACKEND", "")
    if "channels_redis" not in backend and not backend.endswith(".RedisLayer"):
        return []
    brpop_timeout = getattr(import_string(backend), "brpop_timeout", 5)
    problems: list[checks.CheckMessage] = []
    for host in layer.get("CONFIG", {}).get("hosts", []):
        timeout = _socket_timeout(host)
        if timeout is not None and timeout <= brpop_timeout:
            problems.append(
                checks.Warning(
                    f"The Redis channel layer reads with socket_timeout={timeout:g}s, not longer "
                    f"than its {brpop_timeout}s blocking read: idle websockets would crash.",
                    hint='Give the host a longer timeout, e.g. {"address": REDIS_URL, '
                    '"socket_timeout": 30}.',
                    id="realtime.W001",
                )
            )
    return problems
