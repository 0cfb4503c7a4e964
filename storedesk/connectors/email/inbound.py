"""Raw MIME upload: ``POST /api/v1/inboxes/{inbox_id}/email`` with an RFC 822 message as the
body (``Content-Type: message/rfc822``), for mail relays and forwarding services.

Authenticated like the API channel's inbound endpoint: an integration key of this inbox
(``sdi_...``) or an admin's token. Answers like it, ``{"conversation_id", "message_id"}``:
201 for a new mail, 200 with the same ids for a repeat (same Message-ID). A bounce answers 202
(the reply it reports is marked failed), and mail that cannot be filed (unparseable, over the
size limit) is kept as a dead letter and answers 202 with its id and the reason: the relay
must not retry it, nothing is lost.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from storedesk.connectors.auth import inbound_auth, inbox_for_inbound
from storedesk.connectors.email.ingest import ingest
from storedesk.core.errors import ActionError

router = Router(tags=["inbox"])
CONTENT_TYPES = ("message/rfc822", "text/plain", "application/octet-stream")
CHUNK = 64 * 1024


class UnsupportedMediaType(ActionError):
    status_code = 415


class InboundEmailOut(Schema):
    conversation_id: int | None
    message_id: int | None
    status: str  # "filed" | "duplicate" | "bounce" | "ignored" | "dead_letter"
    dead_letter_id: int | None = None
    detail: str = ""


def read_body(request: HttpRequest) -> bytes:
    """The raw body, read in chunks (Django's in-memory body cap is for form fields; the
    per-request cap in front of Django has already bounded it)."""
    chunks = []
    while True:
        chunk = request.read(CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


STATUS = {"filed": 201, "duplicate": 200, "bounce": 202, "ignored": 202, "dead_letter": 202}


@router.post(
    "/inboxes/{inbox_id}/email",
    response={200: InboundEmailOut, 201: InboundEmailOut, 202: InboundEmailOut},
    url_name="inbox_email",
    auth=inbound_auth,
    summary="Receive a raw email (RFC 822) on an email inbox",
    description=(
        "Post the message exactly as received, with `Content-Type: message/rfc822`. "
        "Authenticate with an integration key of this inbox or an admin's token. 201: filed; "
        "200: the same Message-ID was filed before (same ids); 202: a bounce, or kept as a "
        "dead letter (`dead_letter_id`, `detail`) for an admin to look at."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        },
        "responses": {415: {"description": "The body is not message/rfc822."}},
    },
)
def post_raw_email(request: HttpRequest, inbox_id: int) -> Any:
    inbox = inbox_for_inbound(request.auth, inbox_id)  # type: ignore[attr-defined]
    if inbox.channel != "email":
        raise ActionError("Only email inboxes accept raw email.")
    if not inbox.is_active:
        raise ActionError("This inbox is disabled.")
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise UnsupportedMediaType("Send the message as the body with "
                                   "Content-Type: message/rfc822.")
    raw = read_body(request)
    if not raw.strip():
        raise ActionError("The body is empty: send the whole message (headers and body).")
    outcome = ingest(inbox, raw, source="upload")
    body = {
        "conversation_id": outcome.conversation_id,
        "message_id": outcome.message_id,
        "status": outcome.kind,
        "dead_letter_id": outcome.dead_letter_id,
        "detail": outcome.detail,
    }
    return Status(STATUS[outcome.kind], body)
