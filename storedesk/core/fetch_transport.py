"""An httpx transport whose every socket operation ends by one wall-clock deadline.

httpx's timeouts apply per operation: a server that sends its status line one byte every few
seconds never trips a 10 s read timeout, and can hold a worker for minutes. This transport hands
httpcore a network backend whose streams cap each connect, TLS handshake, read and write at the
time left until the deadline, so the whole exchange (connect + headers + body) ends by then.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


def _left(at: float, timeout: float | None, error: type[Exception]) -> float:
    left = at - time.monotonic()
    if left <= 0:
        raise error("the deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, at: float) -> None:
        self._inner = inner
        self._at = at

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(self._at, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(self._at, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _left(self._at, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, limit), self._at
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, at: float) -> None:
        self._inner = httpcore.SyncBackend()
        self._at = at

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _left(self._at, timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, limit, local_address, socket_options)
        return _DeadlineStream(stream, self._at)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(min(seconds, max(0.0, self._at - time.monotonic())))


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own HTTP/1.1 transport, over the deadline-capped backend (no proxies, no env)."""

    def __init__(self, *, verify: ssl.SSLContext, at: float) -> None:
        super().__init__(verify=verify, trust_env=False)
        # HTTPTransport has no public hook for the network backend; the pool it builds is
        # replaced before it opened anything. test_safe_fetch's trickling server guards this.
        self._pool = httpcore.ConnectionPool(
            ssl_context=verify, network_backend=_DeadlineBackend(at)
        )
