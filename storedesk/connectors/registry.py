"""Channel kind -> transport, imported lazily so a connector's dependencies load only when used."""

from __future__ import annotations

from importlib import import_module

from storedesk.connectors.base import Transport, TransportError

# Adding a channel: one subpackage with a `transport.py`, plus one line here.
TRANSPORTS: dict[str, str] = {
    "api": "storedesk.connectors.api.transport:WebhookTransport",
    "email": "storedesk.connectors.email.transport:SmtpTransport",
    "webchat": "storedesk.connectors.webchat.transport:WebchatTransport",
}


def transport_for(channel: str) -> Transport:
    target = TRANSPORTS.get(channel)
    if target is None:
        raise TransportError(f"No transport is available for the {channel} channel yet.",
                             permanent=True)
    module_name, _, class_name = target.partition(":")
    transport_class = getattr(import_module(module_name), class_name)
    transport: Transport = transport_class()
    return transport
