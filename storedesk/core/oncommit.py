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


Publisher = Callable[[int, dict[str, Any]], None]
ManyPublisher = Callable[[int, list[dict[str, Any]]], None]


class _Publishers:
    """Where realtime events go. `core` knows no realtime app: the realtime app registers its
    publisher from its AppConfig.ready() (set once at start-up, never changed per request)."""

    publisher: Publisher | None = None
    many: ManyPublisher | None = None
    rechecker: Callable[[int], None] | None = None


def register_publisher(
    publisher: Publisher,
    rechecker: Callable[[int], None] | None = None,
    many: ManyPublisher | None = None,
) -> None:
    """`rechecker(agent_id)` makes the agent's open sockets re-check their session;
    `many(account_id, events)` sends several events of one account at once, in order."""
    _Publishers.publisher = publisher
    _Publishers.rechecker = rechecker
    _Publishers.many = many


def publish_on_commit(account_id: int, event: dict[str, Any]) -> None:
    """Push a realtime event to the account's connected agents after commit."""
    publisher = _Publishers.publisher
    if publisher is None:
        logger.debug("no realtime publisher registered; dropping %s", event.get("type"))
        return
    transaction.on_commit(lambda: publisher(account_id, event), robust=True)


def publish_many_on_commit(account_id: int, events: list[dict[str, Any]]) -> None:
    """`publish_on_commit` for several events of one account (a batch of inbound messages):
    the same events in the same order, sent together after commit (one channel-layer send
    instead of one round trip each)."""
    if not events:
        return
    many = _Publishers.many
    if many is None:  # no batch publisher registered: one by one
        for event in events:
            publish_on_commit(account_id, event)
        return
    batch = list(events)
    transaction.on_commit(lambda: many(account_id, batch), robust=True)


def recheck_sockets_on_commit(agent_id: int) -> None:
    """After commit, make the agent's open websockets re-check their session and seat (a
    signed-out or deactivated agent's sockets close at once)."""
    rechecker = _Publishers.rechecker
    if rechecker is None:
        return
    transaction.on_commit(lambda: rechecker(agent_id), robust=True)
