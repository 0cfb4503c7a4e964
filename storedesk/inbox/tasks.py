"""Queue tasks for the inbox. Tasks take ids and may run twice without harm.

(Replies are sent by the shared outbox: `storedesk.outbox.tasks.deliver("message", id)`.)
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


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
