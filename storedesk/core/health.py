"""Dependency checks behind GET /healthz: each answers "ok" or "error" and never raises.

Both take the thing to check, so tests (and operators) can point them at a given database
connection or Huey instance; the view passes the configured ones.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def check_database(connection: Any) -> str:
    """Run `SELECT 1` on a Django connection (any alias)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; report it, never raise
        logger.warning("health: database check failed: %s", exc)
        return "error"
    if not row or row[0] != 1:
        logger.warning("health: database answered %r to SELECT 1", row)
        return "error"
    return "ok"


def check_queue(huey: Any = None) -> str:
    """Touch the queue's storage (SQLite file or Redis) with a cheap read."""
    if huey is None:
        from huey.contrib.djhuey import HUEY

        huey = HUEY
    try:
        huey.storage.queue_size()
    except Exception as exc:
        logger.warning("health: queue check failed: %s", exc)
        return "error"
    return "ok"


def check_cache(backend: Any = None) -> str:
    """Ask the cache's own store (Redis at scale), not its local fallback."""
    if backend is None:
        from django.core.cache import cache as backend
    try:
        ping = getattr(backend, "ping", None)
        if callable(ping):
            ping()
        else:
            backend.get("healthz")
    except Exception as exc:
        logger.warning("health: cache check failed: %s", exc)
        return "error"
    return "ok"


def check_realtime(layers: dict[str, Any] | None = None) -> str:
    """Ping the Redis servers of the channel layer (the in-memory layer is always up)."""
    import redis

    if layers is None:
        from django.conf import settings

        layers = settings.CHANNEL_LAYERS
    default: Any = layers.get("default", {})
    config: dict[str, Any] = dict(default.get("CONFIG", {}))
    try:
        for host in config.get("hosts", []):
            address = host["address"] if isinstance(host, dict) else host
            if not isinstance(address, str):
                address = "redis://{}:{}".format(*address)
            client = redis.Redis.from_url(address, socket_connect_timeout=1, socket_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
    except Exception as exc:
        logger.warning("health: realtime check failed: %s", exc)
        return "error"
    return "ok"


def health(*, strict: bool = False) -> tuple[dict[str, str], bool]:
    """The /healthz body, and whether this node should get traffic.

    Only the database is essential: without it nothing can be served. With Redis down the
    node still serves sign-in, pages and the API (cache on a local fallback, tasks found again
    by the sweeper), so the answer is "degraded" naming the parts that are down, and a load
    balancer keeps the node. `strict` (for monitoring) counts every part as essential.
    """
    from django.db import connection

    parts = {
        "database": check_database(connection),
        "queue": check_queue(),
        "cache": check_cache(),
        "realtime": check_realtime(),
    }
    all_ok = all(v == "ok" for v in parts.values())
    serving = parts["database"] == "ok" and (all_ok or not strict)
    status = "ok" if all_ok else ("degraded" if serving else "error")
    return {"status": status, **parts}, serving
