"""Sealing secrets at rest for apps below the connectors (the same scheme as
`connectors/secrets.py` and `commerce/credentials.py`, for any app that needs it).

A sealed value is ``enc:v1:<Fernet token>``. The keys, newest first: the dedicated
``STOREDESK_ENCRYPTION_KEYS``, then keys derived (HKDF-SHA256) from ``SECRET_KEY`` and each of
``SECRET_KEY_FALLBACKS`` under the sealer's own salt (one salt per kind of secret). The first
key seals, every key opens; `reseal` moves a value to the first key after a rotation.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Sealer:
    salt: bytes

    def _fernet(self) -> MultiFernet:
        # Built per call (cheap): settings may change under tests; no key is kept in memory.
        dedicated = [k.encode() for k in getattr(settings, "ENCRYPTION_KEYS", []) if k]
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        derived = [base64.urlsafe_b64encode(
            HKDF(algorithm=hashes.SHA256(), length=32, salt=self.salt, info=HKDF_INFO)
            .derive(s.encode("utf-8"))) for s in secrets if s]
        return MultiFernet([Fernet(k) for k in [*dedicated, *derived]])

    def seal(self, plain: str) -> str:
        return PREFIX + self._fernet().encrypt(plain.encode("utf-8")).decode("ascii")

    def reveal(self, sealed: str) -> str:
        if not is_sealed(sealed):
            raise Unreadable("The value is not sealed.")
        try:
            return self._fernet().decrypt(sealed[len(PREFIX):].encode("ascii")).decode("utf-8")
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
