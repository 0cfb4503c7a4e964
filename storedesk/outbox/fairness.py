"""Shares of the workers: one destination or one account never holds more than its slots.

Before an attempt the runner takes one slot per share it belongs to (its destination host, its
account), each a key in the shared cache (Redis at scale) added with `cache.add`, which is
atomic. A row that finds every slot of a share taken is deferred for a moment instead of
waiting, so its worker is free for other destinations at once. A slot expires on its own after
the lease time, so a killed worker cannot keep one.

If the cache itself is down, shares are not enforced (deliveries go on, unfairly) and this is
logged; delivery is more important than fairness.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Share:
    """A group of rows that may use at most `limit` workers at once (e.g. one host)."""

    key: str
    limit: int


def url_destination(url: str) -> str | None:
    """The share key of an HTTP endpoint: its host and port (None when the URL has no host)."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return None
    if not parsed.host:
        return None
    return f"host:{parsed.host.lower()}:{parsed.port or parsed.scheme}"


def _slot_key(share: Share, index: int) -> str:
    digest = hashlib.sha256(share.key.encode()).hexdigest()[:32]
    return f"outbox-slot:{digest}:{index}"


def _take(share: Share, ttl: float) -> str | None:
    for index in range(max(1, share.limit)):
        key = _slot_key(share, index)
        if cache.add(key, 1, timeout=math.ceil(ttl)):
            return key
    return None


@contextmanager
def slots(shares: Sequence[Share], *, ttl: float) -> Iterator[bool]:
    """Hold one slot of every share for the block; yields False (holding none) when one is full."""
    held: list[str] = []
    granted = True
    try:
        for share in shares:
            key = _take(share, ttl)
            if key is None:
                granted = False
                break
            held.append(key)
    except Exception:  # the cache is down: deliver anyway, say so
        logger.warning("outbox: the cache is unavailable; worker shares are not enforced")
        granted = True
    if not granted:
        _release(held)
        held = []
    try:
        yield granted
    finally:
        _release(held)


def _release(keys: list[str]) -> None:
    for key in keys:
        try:
            cache.delete(key)
        except Exception:  # expires on its own after the lease time
            logger.warning("outbox: could not release a worker slot; it expires by itself")
