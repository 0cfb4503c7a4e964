"""Sealing connector secrets (SMTP passwords, provider tokens) at rest.

A sealed value is the string ``enc:v1:<Fernet token>``: AES-128-CBC + HMAC-SHA256 from the
`cryptography` package. The keys, in this order:

1. ``STOREDESK_ENCRYPTION_KEYS``: dedicated Fernet keys, comma-separated, newest first (make
   one with ``python -c "from cryptography.fernet import Fernet;
   print(Fernet.generate_key().decode())"``);
2. keys derived (HKDF-SHA256) from ``SECRET_KEY`` and each of ``SECRET_KEY_FALLBACKS``.

The first key seals; every key opens. Rotation: put the new key first (a new dedicated key, or
a new secret key with the old one in ``STOREDESK_SECRET_KEY_FALLBACKS``), run
``storedesk manage reseal_secrets`` (re-seals every stored secret under the first key), then
drop the old key. Plain values never leave this module except through `reveal`, which
transports call at send time and webhook verifiers call to check a provider's signature.

What a process keeps in memory: sealing protects the database and its dumps and backups, not the
memory of a process that holds the keys (every web and worker process holds ``SECRET_KEY``
anyway). So each process keeps, in small bounded caches, the Fernet keys derived from the
configured secrets (keyed by those secrets) and the values it opened (keyed by the sealed value
and the key set that opened it): a webhook storm verifies thousands of signatures a second with
the same app secret, and opening it each time was a measurable part of the accept path. Both
caches follow changes at once: a new secret is a new sealed value (a miss), and a changed key
configuration (rotation, a key dropped) is a new key set, under which nothing is cached yet,
so a value no configured key opens any more fails as before. Nothing here is logged or written.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "enc:v1:"
HKDF_SALT = b"storedesk.connectors.secrets"
HKDF_INFO = b"fernet-key-v1"


class SecretUnreadable(Exception):
    """No configured key opens this sealed value (the key was rotated away or the data is bad)."""


@lru_cache(maxsize=16)
def derive_key(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


def _keys() -> tuple[bytes, ...]:
    dedicated = [k.encode() for k in getattr(settings, "ENCRYPTION_KEYS", []) if k]
    secrets: Iterable[str] = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return (*dedicated, *(derive_key(s) for s in secrets if s))


def _fernet() -> MultiFernet:
    # Looked up per call: the settings may change (rotation, tests) and take effect at once.
    return _fernet_for(_keys())


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


@lru_cache(maxsize=1024)
def _open(sealed: str, fernet: MultiFernet) -> str:
    # Keyed by the sealed value and the key set (the cached MultiFernet of `_fernet_for`).
    return fernet.decrypt(sealed[len(PREFIX):].encode("ascii")).decode("utf-8")


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(plain: str) -> str:
    return PREFIX + _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def reveal(sealed: str) -> str:
    if not is_sealed(sealed):
        raise SecretUnreadable("The value is not sealed.")
    try:
        return _open(sealed, _fernet())
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable(
            "No configured key opens this secret; was the encryption key rotated away?"
        ) from exc


def reseal(sealed: str) -> str:
    """The same secret sealed under the first (newest) key."""
    try:
        token = _fernet().rotate(sealed[len(PREFIX):].encode("ascii"))
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("No configured key opens this secret.") from exc
    return PREFIX + token.decode("ascii")


def masked(sealed: str | None) -> str:
    """What forms, pages and the API show for a stored secret: never the value."""
    return "••••••••" if sealed else ""
