"""Queue tasks of the email channel: one IMAP fetch task per mailbox, and the minute poll.

Each mailbox is fetched by its own task, under its own deadline (imap.py), so one slow or dead
server never delays the others. A lease in the shared cache (Redis at scale) keeps two workers
from fetching the same mailbox at once; it expires by itself if a worker dies.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.connectors.email import imap
from storedesk.inbox.models import Inbox

logger = logging.getLogger(__name__)


def _lease_key(inbox_id: int) -> str:
    return f"email:fetch-lease:{inbox_id}"


def mailbox_inbox_ids() -> list[int]:
    """Active email inboxes with an IMAP server configured."""
    return [
        pk for pk, config in Inbox.objects.filter(channel="email", is_active=True)
        .order_by("pk").values_list("pk", "config")
        if isinstance(config, dict) and (config.get("imap") or {}).get("host")
    ]


def run_fetch(inbox_id: int) -> str:
    inbox = Inbox.objects.filter(pk=inbox_id, channel="email", is_active=True).first()
    if inbox is None:
        return "gone"
    lease = int(imap.fetch_seconds() + 2 * imap.socket_timeout() + 30)
    again = f"{_lease_key(inbox_id)}:again"
    if not cache.add(_lease_key(inbox_id), 1, timeout=lease):
        # A fetch is running: it may have read the folders before this news (IDLE on another
        # folder), so ask it to go once more; unless it ended meanwhile, then fetch here.
        cache.set(again, 1, timeout=lease)
        if not cache.add(_lease_key(inbox_id), 1, timeout=lease):
            return "busy"
    cache.delete(again)  # this run reads every folder from now on
    try:
        report = imap.fetch_mailbox(inbox)
    except imap.MailboxError as exc:
        logger.warning("email: fetching inbox %s failed at %s: %s", inbox_id, exc.step,
                       exc.message)
        return f"error:{exc.step}"
    finally:
        cache.delete(_lease_key(inbox_id))
    if not report.complete or cache.get(again):
        cache.delete(again)
        fetch_mailbox(inbox_id)  # more is waiting (or news came in meanwhile): a new task
    return f"filed={report.filed} duplicates={report.duplicates} dead={report.dead_letters}"


@db_task()
def fetch_mailbox(inbox_id: int) -> str:
    return run_fetch(inbox_id)


@db_periodic_task(crontab(minute="*"))
def poll_mailboxes() -> int:
    """Every minute: one fetch task per mailbox (IDLE watchers make it near-instant)."""
    ids = mailbox_inbox_ids()
    for inbox_id in ids:
        fetch_mailbox(inbox_id)
    return len(ids)
