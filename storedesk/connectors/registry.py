"""The channel list: one typed entry per channel, and the only place it is spelled out.

The inbox stores the kind string (``Inbox.channel``); its choices come from here (handed over in
``ConnectorsConfig.ready``, the inbox imports no connector). The settings pages, the setup
forms, the transports and the inbound webhooks all look a channel up here.

Adding a channel: one package ``storedesk/connectors/<kind>/`` with a ``connector.py`` that builds
a `Connector`, plus one line in `CHANNELS` (docs/adding-a-connector.md). Kinds without a
connector are planned: they can be stored and listed (the API contract names them) but not set
up or sent to. Plugins and tests add entries with the ``STOREDESK_EXTRA_CHANNELS`` setting
(dotted ``"module:NAME"`` paths to a `ChannelEntry`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from storedesk.connectors.base import Connector, Transport, TransportError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ChannelEntry:
    kind: str  # what Inbox.channel stores and the API shows; at most 16 characters
    label: StrOrPromise
    # "module:attribute" of the channel's Connector, imported on first use; "" = planned.
    connector: str = ""


CHANNELS: tuple[ChannelEntry, ...] = (
    ChannelEntry("api", _("API"), "storedesk.connectors.api.connector:connector"),
    ChannelEntry("email", _("Email"), "storedesk.connectors.email.connector:connector"),
    ChannelEntry("webchat", _("Chat widget"), "storedesk.connectors.webchat.connector:connector"),
    ChannelEntry("whatsapp", _("WhatsApp")),
    ChannelEntry("messenger", _("Messenger")),
    ChannelEntry("instagram", _("Instagram")),
    ChannelEntry("telegram", _("Telegram")),
    ChannelEntry("sms", _("SMS")),
    ChannelEntry("voice", _("Phone")),
)


@cache
def _load(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    return getattr(import_module(module_name), attribute)


def entries() -> list[ChannelEntry]:
    extra = [_load(target) for target in getattr(settings, "STOREDESK_EXTRA_CHANNELS", [])]
    return [*CHANNELS, *extra]


def get_entry(kind: str) -> ChannelEntry | None:
    return next((e for e in entries() if e.kind == kind), None)


def choices() -> list[tuple[str, Any]]:
    return [(e.kind, e.label) for e in entries()]


def connector_for(kind: str) -> Connector | None:
    entry = get_entry(kind)
    if entry is None or not entry.connector:
        return None
    connector: Connector = _load(entry.connector)
    return connector


def setup_entries() -> list[tuple[ChannelEntry, Connector]]:
    """Channels an admin can set up on the settings pages, in registry order."""
    found = []
    for entry in entries():
        connector = connector_for(entry.kind)
        if connector is not None and connector.setup_form is not None:
            found.append((entry, connector))
    return found


def transport_for(channel: str) -> Transport:
    connector = connector_for(channel)
    if connector is None or connector.transport is None:
        raise TransportError(f"No transport is available for the {channel} channel yet.",
                             permanent=True)
    return connector.transport()
