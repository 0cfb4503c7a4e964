"""Every write to webhook subscriptions, deliveries and attempts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError, InvalidTransition, PermissionDenied
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.core.sealing import Unreadable
from storedesk.core.validation import find_unstorable
from storedesk.events.kinds import EventKind
from storedesk.events.models import Event
from storedesk.outbox import engine
from storedesk.outbox.engine import Outcome
from storedesk.outbox.models import OutboundStatus
from storedesk.outbox.tasks import deliver
from storedesk.webhooks.models import (
    SEALER,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    new_secret,
)
from storedesk.webhooks.payloads import event_payload

# The kinds a subscription may choose: every kind of the event catalog.
SUBSCRIBABLE = frozenset(k.value for k in EventKind)
MAX_SUBSCRIPTIONS = 20
ROTATION_GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class WithSecret:
    """A subscription and its plain secret: the one answer that shows the secret."""

    subscription: WebhookSubscription
    secret: str


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url or find_unstorable(url) is not None:
        raise ActionError("Give the URL of your endpoint.")
    if len(url) > 2000:
        raise ActionError("The URL is longer than 2000 characters.")
    lowered = url.lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://")):
        raise ActionError("The URL must start with https:// (or http://).")
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ActionError("The URL is not valid.") from exc
    if not parsed.host or parsed.userinfo:
        raise ActionError("The URL needs a host and may not carry a user name or password.")
    return url


def clean_events(events: Iterable[str]) -> list[str]:
    chosen = sorted({str(e).strip() for e in events})
    if not chosen:
        raise ActionError("Choose at least one event.")
    unknown = [e for e in chosen if e not in SUBSCRIBABLE]
    if unknown:
        raise ActionError(f"Unknown event kinds: {', '.join(unknown[:5])}.")
    return chosen


def _require_admin(member: Membership) -> None:
    if not member.is_admin:
        raise PermissionDenied("Only admins and owners manage webhooks.")


@transaction.atomic
def create_subscription(
    member: Membership, *, url: str, events: Iterable[str], description: str = ""
) -> WithSecret:
    _require_admin(member)
    if (
        WebhookSubscription.objects.filter(account_id=member.account_id).count()
        >= MAX_SUBSCRIPTIONS
    ):
        raise ActionError(f"An account can have at most {MAX_SUBSCRIPTIONS} webhooks.")
    secret = new_secret()
    subscription = WebhookSubscription.objects.create(
        account_id=member.account_id,
        url=clean_url(url),
        events=clean_events(events),
        description=(description or "").strip()[:200],
        secret=SEALER.seal(secret),
        created_by_id=member.agent_id,
    )
    audit("webhook.created", account=member.account_id, actor=member.agent, obj=subscription,
          url=subscription.url, events=subscription.events)
    return WithSecret(subscription, secret)


@transaction.atomic
def update_subscription(
    member: Membership,
    subscription: WebhookSubscription,
    *,
    url: str | None = None,
    events: Iterable[str] | None = None,
    is_active: bool | None = None,
    description: str | None = None,
) -> WebhookSubscription:
    _require_admin(member)
    changed: list[str] = []
    if url is not None:
        subscription.url = clean_url(url)
        changed.append("url")
    if events is not None:
        subscription.events = clean_events(events)
        changed.append("events")
    if is_active is not None:
        subscription.is_active = bool(is_active)
        changed.append("is_active")
    if description is not None:
        subscription.description = description.strip()[:200]
        changed.append("description")
    if changed:
        subscription.save(update_fields=[*changed, "updated_at"])
        audit("webhook.updated", account=member.account_id, actor=member.agent,
              obj=subscription, fields=changed)
    return subscription


@transaction.atomic
def delete_subscription(member: Membership, subscription: WebhookSubscription) -> None:
    _require_admin(member)
    audit("webhook.deleted", account=member.account_id, actor=member.agent, obj=subscription,
          url=subscription.url)
    subscription.delete()


@transaction.atomic
def rotate_secret(member: Membership, subscription: WebhookSubscription) -> WithSecret:
    """A new signing secret; the old one keeps signing too for ROTATION_GRACE."""
    _require_admin(member)
    secret = new_secret()
    subscription.previous_secret = subscription.secret  # both stay sealed
    subscription.previous_secret_expires_at = timezone.now() + ROTATION_GRACE
    subscription.secret = SEALER.seal(secret)
    subscription.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    audit("webhook.secret_rotated", account=member.account_id, actor=member.agent,
          obj=subscription)
    return WithSecret(subscription, secret)


def reseal_secrets() -> tuple[int, list[str]]:
    """Seal every subscription's secrets under the newest key (after a key rotation; a plain
    one gets sealed). Returns how many rows changed and the ids no configured key opens."""
    changed, problems = 0, []
    for subscription in WebhookSubscription.objects.order_by("pk").iterator():
        try:
            secret = SEALER.reseal(subscription.secret)
            previous = (SEALER.reseal(subscription.previous_secret)
                        if subscription.previous_secret else "")
        except Unreadable:
            problems.append(f"webhook {subscription.pk}")
            continue
        if (secret, previous) != (subscription.secret, subscription.previous_secret):
            WebhookSubscription.objects.filter(pk=subscription.pk).update(
                secret=secret, previous_secret=previous)
            changed += 1
    return changed, problems


@transaction.atomic
def redeliver(member: Membership, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a finished delivery again, with the same delivery id (receivers dedupe on it)."""
    _require_admin(member)
    if not engine.requeue(WebhookDelivery, delivery.pk):
        raise InvalidTransition("This delivery is still being sent; wait for its outcome.")
    delivery.refresh_from_db()
    audit("webhook.redelivered", account=member.account_id, actor=member.agent, obj=delivery)
    enqueue_on_commit(deliver, WebhookDelivery.OUTBOX_KIND, delivery.pk)
    return delivery


def fan_out(event_id: int) -> list[WebhookDelivery]:
    """One delivery per active subscription of the event's account that chose its kind.

    Idempotent: a second run for the same event finds the deliveries there and adds none.
    """
    event = Event.objects.select_related("conversation").filter(pk=event_id).first()
    if event is None:
        return []
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(account_id=event.account_id, is_active=True)
        if event.kind in (s.events or [])
    ]
    if not subscriptions:
        return []
    payload = event_payload(event)
    created = []
    with transaction.atomic():
        for subscription in subscriptions:
            delivery = _queue(subscription, event, payload)
            if delivery is not None:
                created.append(delivery)
    return created


def deliver_event(subscription: WebhookSubscription, event: Event) -> WebhookDelivery | None:
    """Queue one event for one subscription whatever kinds it chose (an automation rule's
    "call an outbound webhook"): the same signed, retried delivery, once per event."""
    if subscription.account_id != event.account_id:
        raise ActionError("The webhook belongs to another account.")
    with transaction.atomic():
        return _queue(subscription, event, event_payload(event))


def _queue(subscription: WebhookSubscription, event: Event, payload: dict[str, object]
           ) -> WebhookDelivery | None:
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                account_id=event.account_id,
                subscription=subscription,
                event_id=event.pk,
                kind=event.kind,
                payload=payload,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None  # already queued for this subscription
    enqueue_on_commit(deliver, WebhookDelivery.OUTBOX_KIND, delivery.pk)
    return delivery


def record_attempt(delivery: WebhookDelivery, outcome: Outcome) -> WebhookAttempt:
    """Write what one attempt came to (inside the outbox's settle transaction)."""
    details = outcome.details
    status_code = details.get("status_code")
    delivery.response_status = status_code if isinstance(status_code, int) else None
    delivery.save(update_fields=["response_status", "updated_at"])
    number = WebhookAttempt.objects.filter(delivery=delivery).count() + 1
    return WebhookAttempt.objects.create(
        account_id=delivery.account_id,
        delivery=delivery,
        number=number,
        status_code=delivery.response_status,
        error=(outcome.error or "")[:2000],
        response_excerpt=str(details.get("response", ""))[:500],
        duration_ms=int(details.get("duration_ms", 0)),
        outcome=str(delivery.status if delivery.status != OutboundStatus.SENDING else "sending"),
    )
