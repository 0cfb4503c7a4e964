"""Channel layers: the embedded profile's in-memory one, the scale profile's Redis one.

The embedded layer is Channels' in-memory layer with a cheap expiry sweep.

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
from channels_redis.core import RedisChannelLayer

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


class RedisLayer(RedisChannelLayer):  # type: ignore[misc]
    """The scale profile's layer: channels_redis, with connections that wait for each other.

    redis-py >= 8 caps an asyncio connection pool at 100 connections and raises
    `MaxConnectionsError` at once for the 101st concurrent command. channels_redis takes one
    connection per group_add / group_discard / send, so a burst of sockets (5,000 chat widgets
    reconnecting after a deploy, or closing at once) crashed consumers with "Too many
    connections" (bench/widget_ws.py), and every crashed widget came back as another connect.
    Here a command waits (up to `pool_timeout` seconds) for one of `pool_size` connections.
    """

    def __init__(self, *args: Any, pool_size: int = 64, pool_timeout: float = 20.0,
                 **kwargs: Any) -> None:
        self.pool_size, self.pool_timeout = pool_size, pool_timeout
        super().__init__(*args, **kwargs)

    def create_pool(self, index: int) -> Any:
        from redis.asyncio import BlockingConnectionPool

        host = dict(self.hosts[index])
        address = host.pop("address", None)
        if not isinstance(address, str):  # sentinels or keyword hosts: channels_redis' own pool
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(
            address, max_connections=self.pool_size, timeout=self.pool_timeout, **host)
