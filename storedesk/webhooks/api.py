"""REST API of outbound webhooks (admins and owners).

- ``GET/POST /webhooks``: list; create from ``url`` and ``events`` (a list of event kinds). The
  answer of create carries ``id`` and, this once, ``secret``.
- ``GET/PATCH/DELETE /webhooks/{id}``; ``POST /webhooks/{id}/rotate-secret`` (new ``secret``,
  shown once; the previous one keeps signing for 24 hours).
- ``GET /webhooks/{id}/deliveries`` (newest first, with attempts) and
  ``POST /webhooks/{id}/deliveries/{delivery_id}/redeliver``.

Another account's webhook is a 404; an agent who is not an admin gets 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError
from storedesk.core.validation import SafeStr
from storedesk.webhooks import actions, queries
from storedesk.webhooks.models import WebhookDelivery, WebhookSubscription

router = Router(tags=["webhooks"])


class WebhookIn(Schema):
    url: SafeStr = Field(..., max_length=2000, description="Your endpoint (https).")
    events: list[SafeStr] = Field(..., min_length=1, max_length=64,
                                  description="Event kinds, e.g. message.received.")
    description: SafeStr = Field("", max_length=200)


class WebhookPatch(Schema):
    url: SafeStr | None = Field(None, max_length=2000)
    events: list[SafeStr] | None = Field(None, min_length=1, max_length=64)
    is_active: bool | None = None
    description: SafeStr | None = Field(None, max_length=200)


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(..., description="The signing secret. Shown this once; keep it safe.")


class AttemptOut(Schema):
    number: int
    status_code: int | None
    error: str
    response_excerpt: str
    duration_ms: int
    outcome: str
    created_at: datetime


class DeliveryOut(Schema):
    id: int
    event: str
    event_id: int
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    response_status: int | None
    sent_at: datetime | None
    created_at: datetime
    attempts_log: list[AttemptOut]


def _member(request: HttpRequest) -> Membership:
    member: Membership = request.auth  # type: ignore[attr-defined]
    return member


def _out(subscription: WebhookSubscription) -> dict[str, Any]:
    return WebhookOut.from_orm(subscription).dict()


def _delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    attempts = sorted(delivery.attempts_log.all(), key=lambda a: a.number)
    return {
        "id": delivery.pk,
        "event": delivery.kind,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_error": delivery.last_error,
        "response_status": delivery.response_status,
        "sent_at": delivery.sent_at,
        "created_at": delivery.created_at,
        "attempts_log": [AttemptOut.from_orm(a).dict() for a in attempts],
    }


@router.get("/webhooks", response=list[WebhookOut], url_name="webhooks")
def list_webhooks(request: HttpRequest) -> Any:
    return [_out(s) for s in queries.subscriptions(_member(request))]


@router.post("/webhooks", response={201: WebhookWithSecret}, url_name="webhooks_create")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Any:
    created = actions.create_subscription(
        _member(request), url=payload.url, events=payload.events,
        description=payload.description,
    )
    return Status(201, {**_out(created.subscription), "secret": created.secret})


@router.get("/webhooks/{webhook_id}", response=WebhookOut, url_name="webhook")
def get_webhook(request: HttpRequest, webhook_id: int) -> Any:
    return _out(queries.get_subscription(_member(request), webhook_id))


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, url_name="webhook_update")
def update_webhook(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> Any:
    member = _member(request)
    subscription = queries.get_subscription(member, webhook_id)
    given = payload.model_fields_set
    nulls = sorted(name for name in given if getattr(payload, name) is None)
    if nulls:
        raise ActionError(f"{', '.join(nulls)} cannot be null; leave a field out to keep it.")
    updated = actions.update_subscription(
        member, subscription,
        url=payload.url, events=payload.events, is_active=payload.is_active,
        description=payload.description,
    )
    return _out(updated)


@router.delete("/webhooks/{webhook_id}", response={204: None}, url_name="webhook_delete")
def delete_webhook(request: HttpRequest, webhook_id: int) -> Any:
    member = _member(request)
    actions.delete_subscription(member, queries.get_subscription(member, webhook_id))
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/rotate-secret", response={201: WebhookWithSecret},
             url_name="webhook_rotate_secret")
def rotate_webhook_secret(request: HttpRequest, webhook_id: int) -> Any:
    member = _member(request)
    rotated = actions.rotate_secret(member, queries.get_subscription(member, webhook_id))
    return Status(201, {**_out(rotated.subscription), "secret": rotated.secret})


@router.get("/webhooks/{webhook_id}/deliveries", response=list[DeliveryOut],
            url_name="webhook_deliveries")
def list_deliveries(request: HttpRequest, webhook_id: int) -> Any:
    """The latest 50 deliveries, newest first, each with its attempts."""
    member = _member(request)
    subscription = queries.get_subscription(member, webhook_id)
    return [_delivery_out(d) for d in queries.deliveries(member, subscription)]


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
             response={202: DeliveryOut}, url_name="webhook_redeliver")
def redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> Any:
    """Queue the delivery again with the same delivery id (a receiver that applied it drops it)."""
    member = _member(request)
    subscription = queries.get_subscription(member, webhook_id)
    delivery = actions.redeliver(member, queries.get_delivery(member, subscription, delivery_id))
    return Status(202, _delivery_out(delivery))
