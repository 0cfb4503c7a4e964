"""IMAP IDLE watchers: near-instant arrival without polling every mailbox every second.

`watch_mailbox` keeps one connection per mailbox in IDLE on its first folder (IDLE watches the
selected folder only; the other folders are fetched by the minute poll) and calls `on_new`
(by default: enqueue `tasks.fetch_mailbox`) when the server announces new mail, after
connecting (to catch up) and at least every `renew` seconds (RFC 2177 asks clients to re-issue
IDLE within 29 minutes). A server without IDLE is polled every `poll` seconds instead. Errors
back off and reconnect; the fetch itself always runs as the task, under its own deadline.

Run the watchers with ``storedesk manage email_idle`` (one process, one thread per mailbox).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from imapclient.exceptions import IMAPClientError

from storedesk.connectors.email import imap
from storedesk.connectors.email.config import EmailConfig
from storedesk.inbox.models import Inbox

logger = logging.getLogger(__name__)
RENEW_SECONDS = 25 * 60
NEW_MAIL = (b"EXISTS", b"RECENT")


def _enqueue(inbox_id: int) -> None:
    from storedesk.connectors.email.tasks import fetch_mailbox

    fetch_mailbox(inbox_id)


def _load(inbox_id: int) -> Inbox | None:
    return Inbox.objects.filter(pk=inbox_id, channel="email", is_active=True).first()


def watch_mailbox(inbox_id: int, stop: threading.Event, *,
                  on_new: Callable[[int], None] = _enqueue, renew: float = RENEW_SECONDS,
                  poll: float = 60.0, check_every: float = 5.0,
                  load: Callable[[int], Inbox | None] = _load) -> None:
    backoff = 5.0
    while not stop.is_set():
        inbox = load(inbox_id)  # again on each reconnect: settings may have changed
        if inbox is None:
            return
        config = EmailConfig.model_validate(inbox.config or {})
        if config.imap is None or not config.imap.host:
            return
        try:
            client = imap.connect(config, inbox=inbox)
        except imap.MailboxError as exc:
            logger.warning("email idle: inbox %s: %s", inbox_id, exc)
            stop.wait(backoff)
            backoff = min(backoff * 2, 300.0)
            continue
        backoff = 5.0
        try:
            client.select_folder(config.imap.folders[0], readonly=True)
            on_new(inbox_id)  # catch up on what arrived while we were away
            if b"IDLE" not in client.capabilities():
                while not stop.wait(poll):
                    on_new(inbox_id)
                continue
            client.idle()
            started = time.monotonic()
            while not stop.is_set():
                responses = client.idle_check(timeout=check_every)
                if any(len(r) > 1 and r[1] in NEW_MAIL for r in responses):
                    client.idle_done()
                    on_new(inbox_id)
                    client.idle()
                if time.monotonic() - started > renew:
                    client.idle_done()
                    on_new(inbox_id)
                    client.idle()
                    started = time.monotonic()
            client.idle_done()
        except (IMAPClientError, OSError) as exc:
            logger.warning("email idle: inbox %s lost the connection: %s", inbox_id, exc)
            stop.wait(backoff)
        finally:
            imap._close(client)


def run_watchers(stop: threading.Event, rescan: float = 300.0) -> None:
    """One thread per mailbox; new mailboxes are picked up every `rescan` seconds."""
    from storedesk.connectors.email.tasks import mailbox_inbox_ids

    threads: dict[int, threading.Thread] = {}
    while not stop.is_set():
        for inbox_id in mailbox_inbox_ids():
            thread = threads.get(inbox_id)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=watch_mailbox, args=(inbox_id, stop),
                                          name=f"email-idle-{inbox_id}", daemon=True)
                thread.start()
                threads[inbox_id] = thread
        stop.wait(rescan)
    for thread in threads.values():
        thread.join(timeout=10)
