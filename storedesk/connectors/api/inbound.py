"""API channel, inbound: the store's own system posts a shopper's message.

``POST /api/v1/inboxes/{id}/messages`` with an integration key of that inbox (or an admin's
token); see connectors/auth.py. 201 when the message is new, 200 with the same ids when
`message_id` was seen before.

``POST /api/v1/inboxes/{id}/messages/batch``: up to 500 of the same messages (each may carry its
original `created_at`) in one transaction, through `receive_messages`; one result per item, in
order.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from storedesk.connectors.api.schemas import InboundIn, inbound_message
from storedesk.connectors.auth import inbound_auth, inbox_for_inbound
from storedesk.core.errors import ActionError
from storedesk.core.validation import SafeDatetime
from storedesk.inbox.actions import Received, receive_message, receive_messages
from storedesk.inbox.actions.batch import BATCH_MAX
from storedesk.inbox.models import Inbox

router = Router(tags=["inbox"])


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
    inbox = _api_inbox(request, inbox_id)
    received = receive_message(inbox, inbound_message(payload))
    body = {"conversation_id": received.conversation.pk, "message_id": received.message.pk}
    return Status(201 if received.created else 200, body)


def _api_inbox(request: HttpRequest, inbox_id: int) -> Inbox:
    inbox = inbox_for_inbound(request.auth, inbox_id)  # type: ignore[attr-defined]
    if inbox.channel != "api":
        raise ActionError("Only API-channel inboxes accept messages through the API.")
    if not inbox.is_active:
        raise ActionError("This inbox is disabled.")
    return inbox


class BatchItemIn(InboundIn):
    created_at: SafeDatetime | None = Field(
        None, description="When the shopper wrote it (ISO 8601 with a zone); default now.",
    )


class BatchIn(Schema):
    messages: list[BatchItemIn] = Field(..., min_length=1, max_length=BATCH_MAX)
    history: bool = Field(
        False,
        description=(
            "True for messages of the past (a backfill): stored with their times, but no "
            "automation, assistant answer, store webhook or live notification reacts to them."
        ),
    )


class BatchItemOut(Schema):
    index: int
    status: Literal["created", "duplicate", "error"]
    conversation_id: int | None = None
    message_id: int | None = None
    error: str | None = None


class BatchOut(Schema):
    created: int
    duplicates: int
    errors: int
    results: list[BatchItemOut]


@router.post(
    "/inboxes/{inbox_id}/messages/batch",
    response={200: BatchOut},
    url_name="inbox_messages_batch",
    auth=inbound_auth,
    summary="Receive up to 500 shoppers' messages in one request",
    description=(
        f"Up to {BATCH_MAX} messages with the fields of the single endpoint, plus an optional "
        "original `created_at`, written in one transaction. The answer has one result per "
        "message, in order: `created` or `duplicate` (a `message_id` seen before, with the "
        "same ids as the first time) with `conversation_id` and `message_id`, or `error` with "
        "the reason; a refused message does not stop the others. Authentication as for "
        "`POST /inboxes/{inbox_id}/messages`. The request body is at most 2 MiB."
    ),
)
def post_inbound_batch(request: HttpRequest, inbox_id: int, payload: BatchIn) -> Any:
    inbox = _api_inbox(request, inbox_id)
    results = receive_messages(inbox, [inbound_message(item) for item in payload.messages],
                               historic=payload.history)
    items = [_batch_item(i, result) for i, result in enumerate(results)]
    return {
        "created": sum(1 for item in items if item["status"] == "created"),
        "duplicates": sum(1 for item in items if item["status"] == "duplicate"),
        "errors": sum(1 for item in items if item["status"] == "error"),
        "results": items,
    }


def _batch_item(index: int, result: Received | ActionError) -> dict[str, Any]:
    if isinstance(result, ActionError):
        return {"index": index, "status": "error", "error": str(result.detail)}
    return {
        "index": index,
        "status": "created" if result.created else "duplicate",
        "conversation_id": result.conversation.pk,
        "message_id": result.message.pk,
    }
