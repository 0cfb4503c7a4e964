"""Websocket origin check: a browser may open a socket only from a page of this same site.

Channels' AllowedHostsOriginValidator compares the Origin with ALLOWED_HOSTS, which is "*" by
default here, so it would accept a socket opened by any web page on the internet (cross-site
websocket hijacking: the browser sends the session cookie along). This validator accepts a
websocket only when its Origin header names the host[:port] the request was sent to (the Host
header), or an origin listed in settings.CSRF_TRUSTED_ORIGINS (same syntax as Django's CSRF
check, including "https://*.example.com"). A missing or opaque ("null") Origin is refused, and
the Host header itself must pass ALLOWED_HOSTS like any HTTP request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                return bytes(value).decode("latin1")
            except UnicodeDecodeError:  # pragma: no cover - latin1 decodes any byte
                return None
    return None


def _trusted(origin: str) -> bool:
    parsed = urlsplit(origin)
    for trusted in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        pattern = urlsplit(trusted.lower())
        if pattern.scheme != parsed.scheme:
            continue
        if "*" in pattern.netloc:
            # "https://*.example.com" matches subdomains, like Django's CSRF check.
            wanted = pattern.netloc.replace("*", "", 1)
            if is_same_domain(parsed.netloc, wanted):
                return True
        elif pattern.netloc == parsed.netloc:
            return True
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    """True when the websocket request comes from a page of this site (see module doc)."""
    origin = _header(scope, b"origin")
    host = _header(scope, b"host")
    if not origin or origin == "null" or not host:
        return False
    allowed_hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    host = host.lower()
    if not validate_host(split_domain_port(host)[0], allowed_hosts):
        return False
    origin = origin.lower()
    parsed = urlsplit(origin)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return False
    # Browsers leave default ports out of both headers, so host[:port] compares as written;
    # behind a TLS proxy "https://shop.example" and Host "shop.example" still match.
    return parsed.netloc == host or _trusted(origin)


class SameOriginValidator:
    """ASGI middleware refusing websockets whose Origin is not this site (see module doc)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
