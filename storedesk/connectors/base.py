"""The small interface every connector shares.

A connector is one package, ``storedesk/connectors/<kind>/``, whose ``connector.py`` builds one
`Connector`: its typed config schema, its setup form, its transport, optionally a webhook
handler for providers that push to us, and its templates (``<kind>/templates/``). The registry
(``connectors/registry.py``) points at it with one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django import forms
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from storedesk.inbox.actions import InboundMessage
    from storedesk.inbox.models import Delivery, Inbox


class TransportError(Exception):
    """Sending failed. `permanent` failures are not retried (bad address, rejected content)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str = ""


class Transport(Protocol):
    def send(self, delivery: Delivery) -> SendResult:
        """Hand the delivery's message to the provider, or raise TransportError."""
        ...


class ChannelConfig(BaseModel):
    """A connector's settings as stored in ``Inbox.config``.

    Secret fields are typed `Sealed` (connectors/fields.py): the stored and in-memory value is
    the sealed string; only a transport calls ``secrets.reveal`` when it needs the plain value.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    def stored(self) -> dict[str, Any]:
        """What goes into Inbox.config."""
        return self.model_dump(mode="json", exclude_none=True)


class SetupForm(forms.Form):
    """The channel's own fields on the inbox settings page (name and team are shared)."""

    # Template, relative to the connector's ``templates/`` folder, that renders these fields.
    template_name_in_package: ClassVar[str] = "setup.html"

    def __init__(self, *args: Any, current: ChannelConfig | None = None, **kwargs: Any) -> None:
        self.current = current
        if current is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(current)
        super().__init__(*args, **kwargs)

    def initial_from(self, config: ChannelConfig) -> dict[str, Any]:
        """Form values shown for a stored config. Never a secret's value."""
        return {}

    def to_config(self) -> ChannelConfig:
        """The typed config from the cleaned form (keep stored secrets left empty)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Receipt:
    """A provider's word on one of our outgoing messages (by the provider's message id)."""

    provider_message_id: str
    status: str  # "delivered" | "read" | "failed"
    error: str = ""
    at: datetime | None = None


class WebhookHandler(Protocol):
    """What a provider that pushes events to us must tell the shared webhook plumbing.

    `verify` gets the raw body bytes exactly as received and must fail closed (False on any
    doubt). `event_id` names the event for idempotency (the provider's own id). `parse` runs
    later on the worker and turns the stored raw body into messages and receipts.
    """

    def verify(self, inbox: Inbox, headers: Mapping[str, str], body: bytes) -> bool: ...

    def event_id(self, headers: Mapping[str, str], body: bytes) -> str: ...

    def parse(
        self, inbox: Inbox, headers: Mapping[str, str], body: bytes
    ) -> list[InboundMessage | Receipt]: ...


@dataclass(frozen=True)
class OutgoingMail:
    """One plain-text mail another channel's delivery attempt sends through a mail inbox.

    `reference` names the attempt's delivery (the Message-ID derives from it, so a retried
    attempt repeats the same Message-ID); `sender_name` is the agent's name or "".
    """

    to: str
    subject: str
    body: str
    reference: str
    sender_name: str = ""


@dataclass(frozen=True)
class Connector:
    """Everything the rest of Storedesk needs to know about one channel."""

    config: type[ChannelConfig]
    # Where the package lives, for its templates: pass ``__package__`` from connector.py.
    package: str
    transport: type[Transport] | None = None
    setup_form: type[SetupForm] | None = None
    # Label of the "add an inbox" button on the settings page.
    add_label: StrOrPromise = ""
    webhook: WebhookHandler | None = None
    # Request headers worth keeping with a stored webhook event (never credentials).
    webhook_headers: tuple[str, ...] = field(default=())
    # Extra context for the channel's template on an existing inbox's settings page (the chat
    # widget's embed snippet): (inbox, request) -> dict.
    settings_context: Callable[[Inbox, HttpRequest], dict[str, Any]] | None = None
    # A channel that sends mail lends its transport to the others: (inbox, OutgoingMail) ->
    # the Message-ID; raises TransportError like a transport (the chat widget's offline
    # replies leave through the account's email inbox this way).
    mailer: Callable[[Inbox, OutgoingMail], str] | None = None

    def load_config(self, inbox: Inbox) -> ChannelConfig:
        return self.config.model_validate(inbox.config or {})

    def template_text(self, name: str) -> str:
        return (resources.files(self.package) / "templates" / name).read_text("utf-8")

    def render(self, name: str, context: dict[str, Any], request: HttpRequest | None) -> str:
        """Render one of the package's own templates (they may extend/include shared ones)."""
        from django.template import engines

        template = engines["django"].from_string(self.template_text(name))
        return str(template.render(context, request))
