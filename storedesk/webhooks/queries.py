"""Reads of webhooks, scoped to the caller's account (admins and owners only)."""

from __future__ import annotations

from django.db.models import QuerySet

from storedesk.accounts.models import Membership
from storedesk.core.errors import PermissionDenied
from storedesk.core.lookup import get_or_404
from storedesk.webhooks.models import WebhookDelivery, WebhookSubscription

DELIVERY_PAGE = 50


def require_admin(member: Membership) -> None:
    if not member.is_admin:
        raise PermissionDenied("Only admins and owners manage webhooks.")


def subscriptions(member: Membership) -> QuerySet[WebhookSubscription]:
    require_admin(member)
    return WebhookSubscription.objects.filter(account_id=member.account_id).order_by("pk")


def get_subscription(member: Membership, subscription_id: int) -> WebhookSubscription:
    return get_or_404(subscriptions(member), "Webhook", pk=subscription_id)


def deliveries(member: Membership, subscription: WebhookSubscription) -> list[WebhookDelivery]:
    """The latest deliveries of a subscription, with their attempts (two queries)."""
    require_admin(member)
    return list(
        WebhookDelivery.objects.filter(account_id=member.account_id, subscription=subscription)
        .prefetch_related("attempts_log")
        .order_by("-pk")[:DELIVERY_PAGE]
    )


def get_delivery(
    member: Membership, subscription: WebhookSubscription, delivery_id: int
) -> WebhookDelivery:
    require_admin(member)
    return get_or_404(
        WebhookDelivery.objects.filter(account_id=member.account_id, subscription=subscription),
        "Delivery",
        pk=delivery_id,
    )
