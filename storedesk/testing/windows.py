"""Keep a test clear of a fixed rate-limit window's edge.

The rate limits count in fixed windows (`int(time.time() // seconds)`): a test that makes N
requests and expects the (N+1)th to be refused fails when the window turns between them, which
on a loaded machine happens even with an hour window at hh:59:5x. A test calls
`clear_of_window_edge(seconds, margin)` before its first request: it returns at once unless
fewer than `margin` seconds are left in the current window, and then sleeps until the next one
starts (so it waits at most `margin` seconds, in margin/seconds of the runs).
"""

from __future__ import annotations

import time


def clear_of_window_edge(seconds: int, margin: float = 60.0) -> None:
    """Return when at least `margin` seconds are left in the current `seconds`-long window."""
    assert margin < seconds, "the margin must be shorter than the window"
    left = seconds - (time.time() % seconds)
    if left < margin:
        time.sleep(left + 0.05)
