"""Middleware of the core: the load balancer's health probe and the Content-Security-Policy."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from storedesk.core.views import healthz

HEALTH_PATH = "/healthz"


class HealthProbeMiddleware:
    """Answer GET /healthz before anything looks at the Host header or the scheme.

    Load balancers probe by IP over plain HTTP: behind STOREDESK_ALLOWED_HOSTS that would be a
    400 (DisallowedHost), and with HTTPS on a 301. The probe carries no cookies and changes
    nothing, so it is answered first, whatever the host and scheme.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return healthz(request)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response.

    Scripts come only from our own static files (no inline scripts, no eval); a template that
    really needs an inline script marks it `nonce="{{ request.csp_nonce }}"`. Styles allow
    inline `style` attributes (tag colours). Frames, plugins and foreign form targets are off.
    Websockets connect to the same origin ('self' covers ws:/wss: on the same host).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy(nonce)
        return response


def policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])
