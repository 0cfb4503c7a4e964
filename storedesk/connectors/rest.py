"""REST API of the connectors (admins and owners): integration keys and inbound events.

- ``GET/POST /inboxes/{id}/keys``, ``POST /inboxes/{id}/keys/{key_id}/rotate``,
  ``DELETE /inboxes/{id}/keys/{key_id}``: the raw key is in the answer of create and rotate only.
- ``GET /inbound-events?status=failed``, ``POST /inbound-events/{id}/retry``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from storedesk.accounts.models import Membership
from storedesk.accounts.permissions import Perm, require
from storedesk.connectors import actions, inbound
from storedesk.connectors.models import InboundEvent, InboundStatus, IntegrationKey
from storedesk.core.errors import ActionError
from storedesk.core.lookup import get_or_404
from storedesk.core.validation import SafeStr
from storedesk.inbox.models import Inbox
from storedesk.inbox.queries import get_inbox

router = Router(tags=["connectors"])
MAX_EVENTS = 100


class KeyIn(Schema):
    name: SafeStr = Field("Integration key", min_length=1, max_length=100)


class KeyOut(Schema):
    id: int
    inbox_id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    key: str = Field(..., description="The raw key. Shown this once; only a hash is stored.")


class InboundEventOut(Schema):
    id: int
    provider: str
    inbox_id: int | None
    event_id: str
    status: str
    attempts: int
    error: str
    created_at: datetime
    processed_at: datetime | None


def _admin(request: HttpRequest) -> Membership:
    member: Membership = request.auth  # type: ignore[attr-defined]
    require(member, Perm.MANAGE_INTEGRATIONS)
    return member


def _inbox(request: HttpRequest, inbox_id: int) -> tuple[Membership, Inbox]:
    member = _admin(request)
    return member, get_inbox(member, inbox_id)


def _key(inbox: Inbox, key_id: int) -> IntegrationKey:
    return get_or_404(
        IntegrationKey.objects.filter(account_id=inbox.account_id, inbox=inbox), "Key", pk=key_id
    )


def _created(key: IntegrationKey, raw: str) -> dict[str, Any]:
    return {**KeyOut.from_orm(key).dict(), "key": raw}


@router.get("/inboxes/{inbox_id}/keys", response=list[KeyOut], url_name="inbox_keys")
def list_keys(request: HttpRequest, inbox_id: int) -> Any:
    _, inbox = _inbox(request, inbox_id)
    return list(IntegrationKey.objects.filter(account_id=inbox.account_id, inbox=inbox)
                .order_by("-created_at", "-pk"))


@router.post("/inboxes/{inbox_id}/keys", response={201: KeyCreated}, url_name="inbox_keys_create")
def create_key(request: HttpRequest, inbox_id: int, payload: KeyIn) -> Any:
    member, inbox = _inbox(request, inbox_id)
    key, raw = actions.create_integration_key(inbox, name=payload.name, by=member.agent)
    return Status(201, _created(key, raw))


@router.post("/inboxes/{inbox_id}/keys/{key_id}/rotate", response={201: KeyCreated},
             url_name="inbox_key_rotate")
def rotate_key(request: HttpRequest, inbox_id: int, key_id: int) -> Any:
    member, inbox = _inbox(request, inbox_id)
    key, raw = actions.rotate_integration_key(_key(inbox, key_id), by=member.agent)
    return Status(201, _created(key, raw))


@router.delete("/inboxes/{inbox_id}/keys/{key_id}", response={204: None},
               url_name="inbox_key_revoke")
def revoke_key(request: HttpRequest, inbox_id: int, key_id: int) -> Any:
    member, inbox = _inbox(request, inbox_id)
    actions.revoke_integration_key(_key(inbox, key_id), by=member.agent)
    return Status(204, None)


@router.get("/inbound-events", response=list[InboundEventOut], url_name="inbound_events")
def list_inbound_events(request: HttpRequest, status: SafeStr | None = None) -> Any:
    """Newest first, at most 100. Filter with `status` (pending, processing, done, failed)."""
    member = _admin(request)
    rows = InboundEvent.objects.filter(account_id=member.account_id)
    if status:
        if status not in InboundStatus.values:
            raise ActionError("status is one of pending, processing, done, failed.")
        rows = rows.filter(status=status)
    return list(rows.order_by("-created_at", "-pk")[:MAX_EVENTS])


@router.post("/inbound-events/{event_id}/retry", response=InboundEventOut,
             url_name="inbound_event_retry")
def retry_inbound_event(request: HttpRequest, event_id: int) -> Any:
    member = _admin(request)
    event = get_or_404(
        InboundEvent.objects.filter(account_id=member.account_id), "Event", pk=event_id
    )
    return inbound.retry_event(event, by=member.agent)
