"""The Redis cache of the scale profile: one client per process, and a local fallback.

One client: Django keeps cache objects in a context-local registry. Under ASGI each request runs
in its own context (or thread), so the stock RedisCache builds a new client, a new connection
pool and a new Redis connection for every request that touches the cache (measured: ~13 ms a
request in the API rate limiter). redis-py's pools are thread-safe, so one client per process.

Fallback: the cache holds only rate-limit counters and other values that may start over, so a
Redis outage must not fail sign-in or the API. When Redis does not answer, every operation goes
to a process-local memory cache (rate limits keep counting, per process: an attacker is still
throttled, by each process instead of by all), a warning is logged, and Redis is tried again
after RETRY_SECONDS. Recovery needs no restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_clients: dict[tuple[Any, ...], RedisCacheClient] = {}
_lock = threading.Lock()
RETRY_SECONDS = 5.0
_OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class _Breaker:
    """Per process: when Redis last failed (0 = healthy). Local connectivity, not domain state."""

    down_since = 0.0
    retry_at = 0.0
    lock = threading.Lock()


class SharedRedisCache(RedisCache):
    # Set by RedisCache.__init__ (not declared in django-stubs).
    _servers: list[str]
    _options: dict[str, Any]
    _class: type[RedisCacheClient]

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        # Fail fast when Redis is away, so a request pays milliseconds, not a TCP timeout.
        options.setdefault("socket_connect_timeout", 1.0)
        options.setdefault("socket_timeout", 2.0)
        super().__init__(server, {**params, "OPTIONS": options})
        self._fallback = LocMemCache(f"storedesk-fallback-{self.key_prefix}", {
            "TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": self.key_prefix,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        })

    @property
    def _cache(self) -> RedisCacheClient:  # type: ignore[override]
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        client = _clients.get(key)
        if client is None:
            with _lock:
                client = _clients.setdefault(key, self._class(self._servers, **self._options))
        return client

    def ping(self) -> None:
        """Talk to Redis itself (no fallback); raises when it is down. For /healthz."""
        self._cache.get_client(write=True).ping()

    def _call(self, name: str, redis_op: Callable[[], T], local_op: Callable[[], T]) -> T:
        now = time.monotonic()
        if _Breaker.retry_at and now < _Breaker.retry_at:
            return local_op()
        try:
            result = redis_op()
        except _OUTAGE as exc:
            with _Breaker.lock:
                if not _Breaker.down_since:
                    _Breaker.down_since = now
                    logger.warning(
                        "cache: Redis is unreachable (%s); rate limits and cached values use "
                        "this process's memory until it is back", exc)
                _Breaker.retry_at = now + RETRY_SECONDS
            return local_op()
        if _Breaker.down_since:
            with _Breaker.lock:
                if _Breaker.down_since:
                    logger.warning("cache: Redis is back after %.0f s",
                                   now - _Breaker.down_since)
                _Breaker.down_since = 0.0
                _Breaker.retry_at = 0.0
        return result

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: Any = None) -> bool:
        return self._call("add", lambda: super(SharedRedisCache, self).add(
            key, value, timeout, version),
            lambda: self._fallback.add(key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", lambda: super(SharedRedisCache, self).get(key, default, version),
                          lambda: self._fallback.get(key, default, version))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: Any = None) -> None:
        self._call("set", lambda: super(SharedRedisCache, self).set(
            key, value, timeout, version),
            lambda: self._fallback.set(key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call("touch", lambda: super(SharedRedisCache, self).touch(
            key, timeout, version), lambda: self._fallback.touch(key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call("delete", lambda: super(SharedRedisCache, self).delete(key, version),
                          lambda: self._fallback.delete(key, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._call("get_many", lambda: super(SharedRedisCache, self).get_many(
            keys, version), lambda: self._fallback.get_many(keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call("has_key", lambda: super(SharedRedisCache, self).has_key(key, version),
                          lambda: self._fallback.has_key(key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return self._call("incr", lambda: super(SharedRedisCache, self).incr(key, delta, version),
                          lambda: self._fallback.incr(key, delta, version))

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._call("set_many", lambda: super(SharedRedisCache, self).set_many(
            data, timeout, version), lambda: self._fallback.set_many(data, timeout, version))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", lambda: super(SharedRedisCache, self).delete_many(
            keys, version), lambda: self._fallback.delete_many(keys, version))
