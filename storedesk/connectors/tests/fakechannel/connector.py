"""A test-only channel, "carrier pigeon", built exactly as a real connector would be.

Nothing outside this package knows it: tests register it with the setting
``STOREDESK_EXTRA_CHANNELS = ["storedesk.connectors.tests.fakechannel.connector:ENTRY"]``.

- Replies are "flown" by writing one JSON file per delivery into the loft directory from the
  inbox's config (the provider's outside edge, made observable on disk).
- The provider pushes events to ``/hooks/pigeon/<inbox id>/``, signed Meta-style
  (``X-Pigeon-Signature: sha256=<hex HMAC of the raw body>``) with the inbox's sealed app
  secret. Events: ``{"id", "type": "message", "from", "name", "text"}`` or
  ``{"id", "type": "receipt", "message": <provider message id>, "status", "error"}``.
- For the storm test (test_storm.py) a worker can be parked mid-batch, once: with
  ``STOREDESK_TEST_PIGEON_STALL_DIR`` set and a ``stall-once`` file in it, parsing an event
  marked ``"stall": true`` removes that file, touches ``stalled`` and sleeps (the test kills
  the worker there).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from pydantic import ValidationError

from storedesk.connectors.base import (
    ChannelConfig,
    Connector,
    Receipt,
    SendResult,
    SetupForm,
    TransportError,
)
from storedesk.connectors.fields import Sealed
from storedesk.connectors.registry import ChannelEntry
from storedesk.connectors.secrets import masked, reveal, seal
from storedesk.connectors.signatures import hmac_hex_matches
from storedesk.inbox.actions import InboundMessage

if TYPE_CHECKING:
    from storedesk.inbox.models import Delivery, Inbox

SIGNATURE_HEADER = "x-pigeon-signature"


class PigeonConfig(ChannelConfig):
    loft_dir: str = ""
    app_secret: Sealed | None = None


class PigeonSetupForm(SetupForm):
    loft_dir = forms.CharField(label="Loft directory", max_length=500)
    app_secret = forms.CharField(label="App secret", required=False, max_length=200,
                                 widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = getattr(self.current, "app_secret", None)
        if stored:
            self.fields["app_secret"].widget.attrs["placeholder"] = masked(stored)

    def initial_from(self, config: Any) -> dict[str, Any]:
        return {"loft_dir": config.loft_dir}

    def to_config(self) -> PigeonConfig:
        plain = self.cleaned_data.get("app_secret") or ""
        kept = getattr(self.current, "app_secret", None)
        return PigeonConfig(loft_dir=self.cleaned_data["loft_dir"],
                            app_secret=seal(plain) if plain else kept)


def _config(inbox: Inbox) -> PigeonConfig:
    try:
        return PigeonConfig.model_validate(inbox.config or {})
    except ValidationError as exc:
        raise TransportError("The pigeon inbox's settings are invalid.", permanent=True) from exc


class PigeonTransport:
    def send(self, delivery: Delivery) -> SendResult:
        message = delivery.message
        loft = Path(_config(message.inbox).loft_dir)
        if not loft.is_dir():
            raise TransportError(f"No loft at {loft}.", permanent=False)
        flight_id = f"pigeon-{delivery.pk}"
        (loft / f"{flight_id}.json").write_text(json.dumps({
            "to": message.conversation.identity.source_id, "text": message.text,
            "idempotency_key": delivery.pk,
        }), "utf-8")
        return SendResult(provider_message_id=flight_id)


class PigeonWebhook:
    def verify(self, inbox: Inbox, headers: Mapping[str, str], body: bytes) -> bool:
        sealed = _config(inbox).app_secret
        if not sealed:
            return False
        return hmac_hex_matches(reveal(sealed), body, headers.get(SIGNATURE_HEADER))

    def event_id(self, headers: Mapping[str, str], body: bytes) -> str:
        return str(json.loads(body)["id"])

    def parse(
        self, inbox: Inbox, headers: Mapping[str, str], body: bytes
    ) -> list[InboundMessage | Receipt]:
        event = json.loads(body)
        _maybe_stall(event)
        if event["type"] == "receipt":
            return [Receipt(provider_message_id=event["message"], status=event["status"],
                            error=event.get("error", ""))]
        if event["type"] == "message":
            return [InboundMessage(sender_id=event["from"], name=event.get("name", ""),
                                   text=event["text"], source_id=f"pigeon-in-{event['id']}")]
        raise ValueError(f"Unknown pigeon event type {event['type']!r}")


def _maybe_stall(event: dict[str, Any]) -> None:
    stall_dir = os.environ.get("STOREDESK_TEST_PIGEON_STALL_DIR")
    if not stall_dir or not event.get("stall"):
        return
    try:
        (Path(stall_dir) / "stall-once").unlink()
    except FileNotFoundError:
        return  # stalls once only: the next worker goes through
    (Path(stall_dir) / "stalled").touch()
    time.sleep(600)


connector = Connector(
    config=PigeonConfig,
    package=__package__ or "storedesk.connectors.tests.fakechannel",
    transport=PigeonTransport,
    setup_form=PigeonSetupForm,
    add_label="Carrier pigeon",
    webhook=PigeonWebhook(),
    webhook_headers=(SIGNATURE_HEADER,),
)

ENTRY = ChannelEntry("pigeon", "Carrier pigeon",
                     "storedesk.connectors.tests.fakechannel.connector:connector")
