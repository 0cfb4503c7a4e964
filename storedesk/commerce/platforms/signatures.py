"""Webhook signatures of store platforms: base64(HMAC-SHA256(secret, raw body)), compared in
constant time on the exact bytes received (a re-serialised body does not verify)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from storedesk.commerce.platforms.base import PlatformError


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(secret: str, body: bytes, signature: str | None) -> None:
    """Raise PlatformError unless `signature` is the body's signature under `secret`."""
    if not secret:
        raise PlatformError("The store has no webhook secret configured.", permanent=True)
    if not signature:
        raise PlatformError("The webhook has no signature.", permanent=True)
    if not hmac.compare_digest(sign(secret, body).encode(), signature.strip().encode()):
        raise PlatformError("The webhook signature does not match.", permanent=True)
