"""Webhook signatures: HMAC-SHA256 over the timestamp and the raw body.

Every webhook Storedesk sends carries three headers::

    X-Storedesk-Delivery:  the delivery id (the receiver's idempotency key)
    X-Storedesk-Timestamp: unix seconds when the request was signed
    X-Storedesk-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}." + raw body)>

Receivers recompute the HMAC over the exact bytes they received (never over re-serialised JSON),
compare in constant time and reject timestamps outside a tolerance window, which limits replays.
The signature header may carry several comma-separated `v1=` values (secret rotation): any match
is accepted. `verify` fails closed: anything missing, malformed or stale is simply `False`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

DELIVERY_HEADER = "X-Storedesk-Delivery"
TIMESTAMP_HEADER = "X-Storedesk-Timestamp"
SIGNATURE_HEADER = "X-Storedesk-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


def sign(secret: str | bytes, timestamp: int | str, body: bytes) -> str:
    """The signature header value for `body` signed at `timestamp`: "v1=<hex>"."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signature_headers(
    secret: str | bytes, delivery_id: int | str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The three headers to send with `body`."""
    timestamp = int(time.time() if now is None else now)
    return {
        DELIVERY_HEADER: str(delivery_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    """Look a header up case-insensitively; also understands Django's request.META keys."""
    wanted = name.lower()
    meta_key = "HTTP_" + name.upper().replace("-", "_")
    for key, value in headers.items():
        if not isinstance(key, str):
            continue
        if key.lower() == wanted or key == meta_key:
            return value if isinstance(value, str) else None
    return None


def verify(
    secret: str | bytes,
    headers_or_values: Mapping[str, Any] | tuple[str | int, str],
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True only when a `v1` signature over (timestamp, body) matches and the time is fresh.

    `headers_or_values` is either the request headers (a dict, `request.headers` or
    `request.META`) or a `(timestamp, signature)` pair.
    """
    if not secret or not isinstance(body, bytes | bytearray):
        return False
    if isinstance(headers_or_values, tuple):
        if len(headers_or_values) != 2:
            return False
        raw_timestamp, raw_signature = str(headers_or_values[0]), headers_or_values[1]
    elif isinstance(headers_or_values, Mapping):
        raw_timestamp = _header(headers_or_values, TIMESTAMP_HEADER) or ""
        raw_signature = _header(headers_or_values, SIGNATURE_HEADER) or ""
    else:
        return False
    if not isinstance(raw_signature, str) or not raw_timestamp.isascii():
        return False
    raw_timestamp = raw_timestamp.strip()
    if not raw_timestamp.isdigit() or len(raw_timestamp) > 12:
        return False
    timestamp = int(raw_timestamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, bytes(body))
    matched = False
    for candidate in raw_signature.split(","):
        candidate = candidate.strip()
        if not candidate.startswith(f"{SCHEME}="):
            continue
        # Compare every candidate (no early exit) so timing reveals nothing about which matched.
        matched |= hmac.compare_digest(candidate.encode(), expected.encode())
    return matched
