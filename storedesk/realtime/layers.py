"""The embedded profile's channel layer: Channels' in-memory layer with a cheap expiry sweep.

Upstream `InMemoryChannelLayer` walks every channel queue and every group membership on each
`receive` and `group_send` (`_clean_expired`). Every open socket waits in `receive`, so each
message costs O(open sockets) and a connect burst O(sockets²): with 5,000 chat-widget sockets
a reply took 20-30 s to arrive (bench/widget_ws.py). Here the sweep runs at most once per
`SWEEP_SECONDS`; an expired message or membership lives at most that much longer.
"""

from __future__ import annotations

import time
from typing import Any

from channels.layers import InMemoryChannelLayer

SWEEP_SECONDS = 1.0


class LocalChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        super()._clean_expired()
