"""Webhook signatures: HMAC-SHA256 over the timestamp, the delivery id and the raw body.

Every webhook Storedesk sends (API-channel replies and store webhooks) carries::

    X-Storedesk-Delivery:  the delivery id (the receiver's idempotency key)
    X-Storedesk-Timestamp: unix seconds when the request was signed
    X-Storedesk-Signature: v2=<hex HMAC-SHA256(secret, f"{timestamp}.{delivery_id}." + raw body)>

The signature covers everything a receiver dedupes and checks freshness on, so a captured
request cannot be replayed under another delivery id or a new timestamp. Receivers recompute
the HMAC over the exact bytes they received (never over re-serialised JSON), compare in constant
time and reject timestamps outside a tolerance window. The signature header may carry several
comma-separated `v2=` values (while a secret is being rotated, one per secret): any match is
accepted. `verify` fails closed: anything missing, malformed or stale is simply `False`.
(The earlier `v1` scheme left the delivery id out of the signature; it is no longer accepted.)
See docs/webhooks.md for receiver snippets in Python and JavaScript.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

DELIVERY_HEADER = "X-Storedesk-Delivery"
TIMESTAMP_HEADER = "X-Storedesk-Timestamp"
SIGNATURE_HEADER = "X-Storedesk-Signature"
EVENT_HEADER = "X-Storedesk-Event"
SCHEME = "v2"
DEFAULT_TOLERANCE = 300
# Delivery ids are short tokens without dots, so "timestamp.id.body" splits one way only.
_DELIVERY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def sign(secret: str | bytes, timestamp: int | str, delivery_id: int | str, body: bytes) -> str:
    """The signature value for `body` of `delivery_id` signed at `timestamp`: "v2=<hex>"."""
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"{timestamp}.{delivery_id}.".encode() + body
    return f"{SCHEME}={hmac.new(key, message, hashlib.sha256).hexdigest()}"


def signature_headers(
    secret: str | bytes | Sequence[str],
    delivery_id: int | str,
    body: bytes,
    now: float | None = None,
) -> dict[str, str]:
    """The three headers to send with `body`; several secrets give several signatures."""
    if not _DELIVERY_ID.fullmatch(str(delivery_id)):
        raise ValueError(f"not a delivery id: {delivery_id!r}")
    timestamp = int(time.time() if now is None else now)
    secrets_ = [secret] if isinstance(secret, str | bytes) else [s for s in secret if s]
    return {
        DELIVERY_HEADER: str(delivery_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: ",".join(sign(s, timestamp, delivery_id, body) for s in secrets_),
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
    headers_or_values: Mapping[str, Any] | tuple[str | int, str | int, str],
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True only when a `v2` signature over (timestamp, delivery id, body) matches in time.

    `headers_or_values` is either the request headers (a dict, `request.headers` or
    `request.META`) or a `(timestamp, delivery_id, signature)` tuple.
    """
    if not secret or not isinstance(body, bytes | bytearray):
        return False
    if isinstance(headers_or_values, tuple):
        if len(headers_or_values) != 3:
            return False
        raw_timestamp = str(headers_or_values[0])
        delivery_id = str(headers_or_values[1])
        raw_signature: Any = headers_or_values[2]
    elif isinstance(headers_or_values, Mapping):
        raw_timestamp = _header(headers_or_values, TIMESTAMP_HEADER) or ""
        delivery_id = _header(headers_or_values, DELIVERY_HEADER) or ""
        raw_signature = _header(headers_or_values, SIGNATURE_HEADER) or ""
    else:
        return False
    if not isinstance(raw_signature, str) or not raw_timestamp.isascii():
        return False
    if not _DELIVERY_ID.fullmatch(delivery_id.strip()):
        return False
    raw_timestamp = raw_timestamp.strip()
    if not raw_timestamp.isdigit() or len(raw_timestamp) > 12:
        return False
    timestamp = int(raw_timestamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, delivery_id.strip(), bytes(body))
    matched = False
    for candidate in raw_signature.split(","):
        candidate = candidate.strip()
        if not candidate.startswith(f"{SCHEME}="):
            continue
        # Compare every candidate (no early exit) so timing reveals nothing about which matched.
        matched |= hmac.compare_digest(candidate.encode(), expected.encode())
    return matched
