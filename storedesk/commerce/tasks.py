"""Queue tasks for commerce: push order actions to the store platform. Take ids, idempotent."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from storedesk.commerce.models import Order, Refund, RefundStatus, Return
from storedesk.commerce.platforms import platform_for
from storedesk.commerce.platforms.base import PlatformError

logger = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=30)
def push_refund(refund_id: int) -> str:
    """Send a pending refund to the platform once; a permanent refusal marks it failed."""
    refund = Refund.objects.select_related("order__store").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.PENDING:
        return "skipped"
    try:
        external_id = platform_for(refund.order.store).push_refund(refund)
    except PlatformError as exc:
        if not exc.permanent:
            raise
        Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
            status=RefundStatus.FAILED, error=str(exc)[:500]
        )
        logger.warning("refund %s refused by the platform: %s", refund.pk, exc)
        return "failed"
    Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SUCCEEDED, external_id=external_id[:100]
    )
    return "succeeded"


@db_task(retries=5, retry_delay=30)
def push_cancel(order_id: int, reason: str) -> None:
    order = Order.objects.select_related("store").filter(pk=order_id).first()
    if order is not None:
        platform_for(order.store).push_cancel(order, reason)


@db_task(retries=5, retry_delay=30)
def push_address(order_id: int) -> None:
    order = Order.objects.select_related("store").filter(pk=order_id).first()
    if order is not None:
        platform_for(order.store).push_address(order)


@db_task(retries=5, retry_delay=30)
def push_return(return_id: int) -> None:
    return_request = Return.objects.select_related("order__store").filter(pk=return_id).first()
    if return_request is not None and not return_request.external_id:
        external_id = platform_for(return_request.order.store).push_return(return_request)
        Return.objects.filter(pk=return_id, external_id="").update(external_id=external_id[:100])
