"""Sealing connector secrets (SMTP passwords, provider tokens) at rest, with `core/sealing.py`
(the one implementation: scheme, keys, rotation, per-process caches) under the connectors' salt.

Plain values never leave through anything but `reveal`, which transports call at send time and
webhook verifiers call to check a provider's signature; it raises `core.sealing.Unreadable`
when no configured key opens the value.
"""

from __future__ import annotations

from storedesk.core.sealing import Sealer, is_sealed

__all__ = ["SEALER", "is_sealed", "masked", "reseal", "reveal", "seal"]

SEALER = Sealer(b"storedesk.connectors.secrets")
seal = SEALER.seal
reveal = SEALER.reveal
reseal = SEALER.reseal


def masked(sealed: str | None) -> str:
    """What forms, pages and the API show for a stored secret: never the value."""
    return "••••••••" if sealed else ""
