"""Store platform credentials (Shopify access tokens, WooCommerce consumer secrets, webhook
secrets) sealed at rest in `Store.config`.

Same scheme and keys as `connectors/secrets.py` (Fernet, ``enc:v1:`` prefix, keys from
``STOREDESK_ENCRYPTION_KEYS`` then HKDF-derived from ``SECRET_KEY`` and its fallbacks), under
commerce's own HKDF salt; commerce sits below the connectors and cannot import them. Plain
values leave only through `credential`, which platform clients call at request time; the
settings pages show a `hint` (the last four characters) and never the value.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from storedesk.commerce.platforms.base import PlatformError

PREFIX = "enc:v1:"
HKDF_SALT = b"storedesk.commerce.credentials"
HKDF_INFO = b"fernet-key-v1"
# The config keys that hold secrets; every other config key is plain (domains, URLs).
SECRET_KEYS = frozenset({"access_token", "consumer_secret", "webhook_secret"})


def _derive(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


def _fernet() -> MultiFernet:
    dedicated = [k.encode() for k in getattr(settings, "ENCRYPTION_KEYS", []) if k]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(k) for k in [*dedicated, *(_derive(s) for s in secrets if s)]])


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(plain: str) -> str:
    return PREFIX + _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def reveal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed[len(PREFIX):].encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise PlatformError(
            "No configured key opens this store's credentials; was the encryption key rotated "
            "away? Enter them again in the store settings.", permanent=True,
        ) from exc


def reseal(value: str) -> str:
    """The same secret sealed under the first (newest) key; a plain one gets sealed."""
    if not is_sealed(value):
        return seal(value)
    try:
        token = _fernet().rotate(value[len(PREFIX):].encode("ascii"))
    except (InvalidToken, ValueError) as exc:
        raise PlatformError("No configured key opens this store's credentials.",
                            permanent=True) from exc
    return PREFIX + token.decode("ascii")


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
