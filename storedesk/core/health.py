from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def check_database(connection: Any) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; report it, never raise
        logger.warning("health: database check failed: %s", exc)
        return "error"
    return "ok"


def check_queue() -> str:
    """Touch the queue's storage (SQLite file or Redis) with a cheap read."""
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.storage.queue_size()
    except Exception as exc:
        logger.warning("health: queue check failed: %s", exc)
        return "error"
    return "ok"
