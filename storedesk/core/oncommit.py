"""Side effects that run only after the surrounding transaction commits.

Actions call these instead of doing network I/O, so a rolled-back write never leaks a realtime
push or a task, and nothing talks to the network while a transaction holds locks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue a Huey task once the current transaction commits (at once outside one)."""

    def _enqueue() -> None:
        task(*args, **kwargs)

    transaction.on_commit(_enqueue, robust=True)


def publish_on_commit(account_id: int, event: dict[str, Any]) -> None:
    """Push a realtime event to the account's connected agents after commit."""
    from storedesk.realtime.publish import publish

    transaction.on_commit(lambda: publish(account_id, event), robust=True)


def recheck_sockets_on_commit(agent_id: int) -> None:
    """After commit, make the agent's open websockets re-check their session and seat (a
    signed-out or deactivated agent's sockets close at once)."""
    from storedesk.realtime.publish import recheck_agent_sockets

    transaction.on_commit(lambda: recheck_agent_sockets(agent_id), robust=True)
