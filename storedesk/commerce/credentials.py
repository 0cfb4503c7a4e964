"""Store platform credentials (Shopify access tokens, WooCommerce consumer secrets, webhook
secrets) sealed at rest in `Store.config`.

Sealed with `core/sealing.py` (the one implementation: Fernet, ``enc:v1:`` prefix, keys from
``STOREDESK_ENCRYPTION_KEYS`` then HKDF-derived from ``SECRET_KEY`` and its fallbacks, per-process
caches) under commerce's own HKDF salt; a value no key opens raises a permanent `PlatformError`
here. Plain values leave only through `credential`, which platform clients call at request time;
the settings pages show a `hint` (the last four characters) and never the value.
"""

from __future__ import annotations

from storedesk.commerce.platforms.base import PlatformError
from storedesk.core.sealing import Sealer, Unreadable, is_sealed

__all__ = ["SECRET_KEYS", "credential", "hint", "is_sealed", "reseal", "reveal", "seal"]

SEALER = Sealer(b"storedesk.commerce.credentials")
# The config keys that hold secrets; every other config key is plain (domains, URLs).
SECRET_KEYS = frozenset({"access_token", "consumer_secret", "webhook_secret"})


def seal(plain: str) -> str:
    return SEALER.seal(plain)


def reveal(sealed: str) -> str:
    try:
        return SEALER.reveal(sealed)
    except Unreadable as exc:
        raise PlatformError(
            "No configured key opens this store's credentials; was the encryption key rotated "
            "away? Enter them again in the store settings.", permanent=True,
        ) from exc


def reseal(value: str) -> str:
    """The same secret sealed under the first (newest) key; a plain one gets sealed."""
    try:
        return SEALER.reseal(value)
    except Unreadable as exc:
        raise PlatformError("No configured key opens this store's credentials.",
                            permanent=True) from exc


def credential(config: dict[str, object], name: str) -> str:
    """The plain value of one config entry (sealed or, for rows made before sealing, plain)."""
    value = config.get(name) or ""
    if not isinstance(value, str):
        return ""
    return reveal(value) if is_sealed(value) else value


def hint(config: dict[str, object], name: str) -> str:
    """What the settings page may show of a secret: its last four characters, masked."""
    try:
        plain = credential(config, name)
    except PlatformError:
        return "(unreadable)"
    return f"••••{plain[-4:]}" if len(plain) > 8 else ("••••" if plain else "")
