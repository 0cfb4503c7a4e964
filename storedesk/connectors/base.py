"""The small interface every connector shares: a transport that sends one outgoing message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from storedesk.inbox.models import Delivery


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
