"""A Redis cache backend whose client (and connection pool) is shared by the whole process.

Django keeps cache objects in a context-local registry. Under ASGI each request runs in its own
context (or thread), so the stock RedisCache builds a new client, a new connection pool and a
new Redis connection for every request that touches the cache (measured: ~13 ms a request in
the API rate limiter). redis-py's pools are thread-safe, so one client per process is enough.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict[tuple[Any, ...], RedisCacheClient] = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    # Set by RedisCache.__init__ (not declared in django-stubs).
    _servers: list[str]
    _options: dict[str, Any]
    _class: type[RedisCacheClient]

    @property
    def _cache(self) -> RedisCacheClient:  # type: ignore[override]
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        client = _clients.get(key)
        if client is None:
            with _lock:
                client = _clients.setdefault(key, self._class(self._servers, **self._options))
        return client
