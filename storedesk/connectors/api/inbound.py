"""API channel, inbound: the store's own system posts a shopper's message.

``POST /api/v1/inboxes/{id}/messages`` with an integration key of that inbox (or an admin's
token); see connectors/auth.py. 201 when the message is new, 200 with the same ids when
`message_id` was seen before.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from storedesk.connectors.auth import inbound_auth, inbox_for_inbound
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.errors import ActionError
from storedesk.core.validation import SafeEmail, SafeStr, model_max_length
from storedesk.inbox.actions import MAX_TEXT_CHARS, InboundMessage, receive_message
from storedesk.inbox.models import Message

router = Router(tags=["inbox"])


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


class InboundOut(Schema):
    conversation_id: int
    message_id: int


@router.post(
    "/inboxes/{inbox_id}/messages",
    response={200: InboundOut, 201: InboundOut},
    url_name="inbox_messages",
    auth=inbound_auth,
    summary="Receive a shopper's message on an API-channel inbox",
    description=(
        "Authenticate with an integration key of this inbox (`sdi_...`) or an admin's token. "
        "An agent's personal token gets 403."
    ),
)
def post_inbound_message(request: HttpRequest, inbox_id: int, payload: InboundIn) -> Any:
    """201 when the message is new; 200 with the same ids when `message_id` was seen before."""
    inbox = inbox_for_inbound(request.auth, inbox_id)  # type: ignore[attr-defined]
    if inbox.channel != "api":
        raise ActionError("Only API-channel inboxes accept messages through the API.")
    if not inbox.is_active:
        raise ActionError("This inbox is disabled.")
    received = receive_message(
        inbox,
        InboundMessage(
            sender_id=payload.source_id,
            text=payload.text,
            source_id=payload.message_id,
            name=payload.name,
            email=payload.email,
        ),
    )
    body = {"conversation_id": received.conversation.pk, "message_id": received.message.pk}
    return Status(201 if received.created else 200, body)
