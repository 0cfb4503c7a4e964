"""A wall-clock deadline for everything done inside a block, carried in a context variable.

The outbox runs each attempt inside `deadline(seconds)`; `safe_fetch` (and any other outbound
call that asks `remaining()`) shortens its own limits to what is left, so a slow server cannot
stretch an attempt past its deadline however it trickles its answer.

    with deadline(30):
        transport.send(delivery)   # every safe_fetch inside ends by then, connect to last byte
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "storedesk_deadline", default=None
)


class DeadlineExceeded(Exception):
    """The block's wall-clock deadline has passed."""


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Run the block under a deadline `seconds` from now (an enclosing, earlier one wins)."""
    at = time.monotonic() + max(0.0, seconds)
    outer = _deadline.get()
    if outer is not None:
        at = min(at, outer)
    token = _deadline.set(at)
    try:
        yield at
    finally:
        _deadline.reset(token)


def current() -> float | None:
    """The monotonic time the current block must end by, or None outside any deadline."""
    return _deadline.get()


def remaining(default: float) -> float:
    """Seconds left under the current deadline, at most `default` (which applies outside one)."""
    at = _deadline.get()
    if at is None:
        return default
    return min(default, at - time.monotonic())
