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


def health() -> tuple[dict[str, str], bool]:
    """The /healthz body for the configured database and queue, and whether all is well."""
    from django.db import connection

    database = check_database(connection)
    queue = check_queue()
    ok = database == "ok" and queue == "ok"
    return {"status": "ok" if ok else "error", "database": database, "queue": queue}, ok
