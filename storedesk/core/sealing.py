"""Sealing secrets at rest: the one implementation, for every app (SMTP passwords and provider
tokens in `connectors/secrets.py`, store credentials in `commerce/credentials.py`, inbox and
webhook signing secrets in their models).

A sealed value is the string ``enc:v1:<Fernet token>``: AES-128-CBC + HMAC-SHA256 from the
`cryptography` package. The keys, in this order:

1. ``STOREDESK_ENCRYPTION_KEYS``: dedicated Fernet keys, comma-separated, newest first (make
   one with ``python -c "from cryptography.fernet import Fernet;
   print(Fernet.generate_key().decode())"``);
2. keys derived (HKDF-SHA256) from ``SECRET_KEY`` and each of ``SECRET_KEY_FALLBACKS``, under
   the sealer's own salt (one `Sealer` per kind of secret, each with its salt).

The first key seals; every key opens. Rotation: put the new key first (a new dedicated key, or
a new secret key with the old one in ``STOREDESK_SECRET_KEY_FALLBACKS``), run the reseal
commands (``reseal_secrets``, ``reseal_store_credentials``, ``reseal_webhook_secrets``: each
re-seals its stored secrets under the first key with `Sealer.reseal`), then drop the old key.

What a process keeps in memory: sealing protects the database and its dumps and backups, not the
memory of a process that holds the keys (every web and worker process holds ``SECRET_KEY``
anyway). So each process keeps, in small bounded caches, the Fernet keys derived from the
configured secrets (keyed by salt and secret) and the values it opened (keyed by the sealed
value and the key set that opened it): a webhook storm verifies thousands of signatures a second
with the same secret, and opening it each time was a measurable part of the accept path. Both
caches follow changes at once: a new secret is a new sealed value (a miss), and a changed key
configuration (rotation, a key dropped) is a new key set, under which nothing is cached yet,
so a value no configured key opens any more fails as before. Nothing here is logged or written.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "enc:v1:"
HKDF_INFO = b"fernet-key-v1"


class Unreadable(Exception):
    """No configured key opens this sealed value (the key was rotated away, or bad data)."""


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


@lru_cache(maxsize=64)
def derive_key(salt: bytes, secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=32)
def _fernet_for(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


@lru_cache(maxsize=1024)
def _open(sealed: str, fernet: MultiFernet) -> str:
    # Keyed by the sealed value and the key set (the cached MultiFernet of `_fernet_for`).
    return fernet.decrypt(sealed[len(PREFIX):].encode("ascii")).decode("utf-8")


@dataclass(frozen=True)
class Sealer:
    salt: bytes

    def keys(self) -> tuple[bytes, ...]:
        """The configured keys, newest first: the dedicated ones, then the derived ones."""
        dedicated = [k.encode() for k in getattr(settings, "ENCRYPTION_KEYS", []) if k]
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return (*dedicated, *(derive_key(self.salt, s) for s in secrets if s))

    def _fernet(self) -> MultiFernet:
        # Looked up per call: the settings may change (rotation, tests) and take effect at once.
        return _fernet_for(self.keys())

    def seal(self, plain: str) -> str:
        return PREFIX + self._fernet().encrypt(plain.encode("utf-8")).decode("ascii")

    def reveal(self, sealed: str) -> str:
        """The plain value (cached per process by sealed value and key set)."""
        if not is_sealed(sealed):
            raise Unreadable("The value is not sealed.")
        try:
            return _open(sealed, self._fernet())
        except (InvalidToken, ValueError) as exc:
            raise Unreadable("No configured key opens this secret; was the encryption key "
                             "rotated away?") from exc

    def reseal(self, value: str) -> str:
        """The same secret sealed under the first (newest) key; a plain one gets sealed."""
        if not is_sealed(value):
            return self.seal(value)
        try:
            token = self._fernet().rotate(value[len(PREFIX):].encode("ascii"))
        except (InvalidToken, ValueError) as exc:
            raise Unreadable("No configured key opens this secret.") from exc
        return PREFIX + token.decode("ascii")
