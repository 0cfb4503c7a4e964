"""Signature checks that messaging and commerce providers use on their webhooks.

All compare in constant time over the raw body bytes and fail closed: a missing, malformed or
empty header, or an empty secret, is False.

- `hmac_hex_matches`: Meta (WhatsApp Cloud, Messenger, Instagram) ``X-Hub-Signature-256:
  sha256=<hex>``, and any "prefix + hex HMAC" scheme.
- `hmac_base64_matches`: Shopify ``X-Shopify-Hmac-Sha256: <base64>``, WooCommerce.
- `token_matches`: Telegram's ``X-Telegram-Bot-Api-Secret-Token`` (a shared secret, no HMAC).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

Digest = Callable[..., Any]


def _mac(secret: str | bytes, body: bytes, digest: Digest) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, body, digest).digest()


def hmac_hex_matches(
    secret: str | bytes, body: bytes, header: str | None, *, prefix: str = "sha256=",
    digest: Digest = hashlib.sha256,
) -> bool:
    if not secret or not header or not header.startswith(prefix):
        return False
    expected = _mac(secret, body, digest).hex()
    return hmac.compare_digest(expected, header[len(prefix):].strip().lower())


def hmac_base64_matches(
    secret: str | bytes, body: bytes, header: str | None, *, digest: Digest = hashlib.sha256
) -> bool:
    if not secret or not header:
        return False
    expected = base64.b64encode(_mac(secret, body, digest)).decode("ascii")
    return hmac.compare_digest(expected, header.strip())


def token_matches(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
