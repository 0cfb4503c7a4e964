"""Typed field helpers for connector config schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from storedesk.connectors.secrets import is_sealed


def _must_be_sealed(value: str) -> str:
    if not is_sealed(value):
        raise ValueError("a secret must be stored sealed (connectors.secrets.seal)")
    return value


# A secret as stored: always the sealed string, never the plain value.
Sealed = Annotated[str, AfterValidator(_must_be_sealed)]
