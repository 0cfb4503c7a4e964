"""Queue tasks for the inbox. Tasks take ids and may run twice without harm."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.inbox import delivery


@db_task()
def deliver_message(delivery_id: int) -> str:
    """Send one delivery. Safe to run twice: only the worker that claims the row sends."""
    return delivery.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def sweep_deliveries() -> int:
    """Pick up deliveries whose task was lost or whose worker died mid-send.

    Every consumer with periodic tasks runs this each minute, so at scale several sweeps may
    enqueue the same id; that is harmless because claiming a row is one atomic UPDATE. (No Huey
    lock here on purpose: a worker killed while holding one would stop all sweeps for good.)
    """
    ids = delivery.due_delivery_ids()
    for delivery_id in ids:
        deliver_message(delivery_id)
    return len(ids)


@db_periodic_task(crontab(minute="*/15"))
def sweep_staged_attachments() -> int:
    """Delete attachment files staged for messages whose transaction rolled back."""
    from storedesk.inbox.storage import sweep_staged

    return sweep_staged()


@db_periodic_task(crontab(minute="*"))
def wake_snoozed() -> int:
    """Reopen conversations whose snooze time has passed."""
    from django.utils import timezone

    from storedesk.accounts.actor import SYSTEM
    from storedesk.core.errors import InvalidTransition
    from storedesk.inbox.actions import change_status
    from storedesk.inbox.models import Conversation, Status

    woken = 0
    due = Conversation.objects.filter(status=Status.SNOOZED, snoozed_until__lte=timezone.now())
    for conversation in due.iterator():
        try:
            change_status(conversation, SYSTEM, Status.OPEN)
        except InvalidTransition:
            continue  # changed by someone else since we looked
        woken += 1
    return woken
