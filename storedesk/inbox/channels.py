"""The channel kinds an inbox may have, as the inbox sees them.

The list itself is spelled out once, in `storedesk/connectors/registry.py`. The inbox imports no
connector (layering rule), so the connectors app hands the registry's choice function over at
start-up (`ConnectorsConfig.ready`). `Inbox.channel` uses `channel_choices` as a callable, so
the migration stores a reference, not a copy of the list: adding a channel needs no migration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ChoiceSource = Callable[[], list[tuple[str, Any]]]

# Filled once at start-up by the connectors app; read-only afterwards.
_sources: list[ChoiceSource] = []


def provide_channels(source: ChoiceSource) -> None:
    """Called by the connectors app: where the list of channel kinds comes from."""
    _sources[:] = [source]


def channel_choices() -> list[tuple[str, Any]]:
    """(kind, label) of every channel kind, e.g. ("email", "Email")."""
    return _sources[0]() if _sources else []


def is_channel(kind: str) -> bool:
    return any(value == kind for value, _ in channel_choices())


def channel_label(kind: str) -> str:
    for value, label in channel_choices():
        if value == kind:
            return str(label)
    return kind
