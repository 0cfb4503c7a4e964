"""The body of an inbound message on the API channel (the single endpoint, the batch items and
the live route in front of Django validate it with this one schema)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.validation import SafeEmail, SafeStr, model_max_length
from storedesk.inbox.actions import MAX_TEXT_CHARS, InboundMessage
from storedesk.inbox.models import Message


class InboundIn(Schema):
    """A shopper's message posted by the store's own integration to an API-channel inbox."""

    source_id: SafeStr = Field(
        ..., min_length=1, max_length=model_max_length(ContactIdentity, "source_id"),
        description="The shopper's id on this inbox (e.g. your customer id).",
    )
    name: SafeStr = Field("", max_length=model_max_length(Contact, "name"))
    email: SafeEmail | Literal[""] = Field("", description="A valid address.")
    text: SafeStr = Field(..., max_length=MAX_TEXT_CHARS)
    message_id: SafeStr | None = Field(
        None, max_length=model_max_length(Message, "source_id"),
        description="Your id for this message; sending it again returns the same ids.",
    )


def inbound_message(payload: InboundIn) -> InboundMessage:
    return InboundMessage(
        sender_id=payload.source_id,
        text=payload.text,
        source_id=payload.message_id,
        name=payload.name,
        email=payload.email,
        created_at=getattr(payload, "created_at", None),
    )
