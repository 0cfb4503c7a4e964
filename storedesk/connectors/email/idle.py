"""IMAP IDLE watchers: near-instant arrival without polling every mailbox every second.

IDLE watches the selected folder only, so `watch_mailbox` keeps one connection in IDLE per
configured folder of a mailbox (`run_watchers`: one thread per inbox and folder). It calls
`on_new` (by default: enqueue `tasks.fetch_mailbox`, which fetches every folder) when the server
announces new mail, after connecting (to catch up) and at least every `renew` seconds (RFC 2177
asks clients to re-issue IDLE within 29 minutes). A server without IDLE is polled every `poll`
seconds instead. Errors back off and reconnect; the fetch itself always runs as the task, under
its own deadline.

Each watcher holds a lease in the shared cache (`storedesk:email-idle:<inbox>:<folder>`,
renewed while it watches), so with several worker processes at scale (Redis) one connection
per folder is open, not one per process; another process takes over when the lease runs out.

A watcher thread spends nearly all its life waiting (in IDLE, between polls, backing off), so it
gives its database connection back (`_release_db`) before every wait: with many mailboxes a
connection held per thread would exhaust PostgreSQL's connections (or the connection pool).

The watchers start with the queue consumer (`storedesk worker`, `storedesk serve
--with-worker`, `storedesk demo`; `start_watchers`), unless STOREDESK_EMAIL_IDLE=0; or run
them on their own with ``storedesk manage email_idle``. The minute poll covers the rest.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connections
from imapclient.exceptions import IMAPClientError

from storedesk.connectors.email import imap
from storedesk.connectors.email.config import EmailConfig
from storedesk.inbox.models import Inbox

logger = logging.getLogger(__name__)
RENEW_SECONDS = 25 * 60
NEW_MAIL = (b"EXISTS", b"RECENT")
LEASE_SECONDS = 90


class _Lease:
    """One watcher per inbox and folder across processes (the shared cache decides)."""

    def __init__(self, inbox_id: int, folder: str) -> None:
        self.key = f"storedesk:email-idle:{inbox_id}:{folder}"
        self.token = uuid.uuid4().hex

    def hold(self) -> bool:
        if cache.add(self.key, self.token, LEASE_SECONDS):
            return True
        if cache.get(self.key) == self.token:
            cache.set(self.key, self.token, LEASE_SECONDS)
            return True
        return False

    def release(self) -> None:
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


def _enqueue(inbox_id: int) -> None:
    from storedesk.connectors.email.tasks import fetch_mailbox

    fetch_mailbox(inbox_id)


def _release_db() -> None:
    """Close this thread's database connections (with a pool: give them back to it)."""
    connections.close_all()


def _releasing(on_new: Callable[[int], None]) -> Callable[[int], None]:
    def notify(inbox_id: int) -> None:
        try:
            on_new(inbox_id)
        finally:
            _release_db()  # the callback may have used the database (an immediate queue)

    return notify


def _load(inbox_id: int) -> Inbox | None:
    return Inbox.objects.filter(pk=inbox_id, channel="email", is_active=True).first()


def folders_of(inbox: Inbox) -> list[str]:
    config = EmailConfig.model_validate(inbox.config or {})
    if config.imap is None or not config.imap.host:
        return []
    return list(config.imap.folders)


def watch_mailbox(inbox_id: int, stop: threading.Event, *, folder: str | None = None,
                  on_new: Callable[[int], None] = _enqueue, renew: float = RENEW_SECONDS,
                  poll: float = 60.0, check_every: float = 5.0,
                  load: Callable[[int], Inbox | None] = _load) -> None:
    """Watch one folder of one mailbox (`folder` None: its first) until `stop` is set, the
    inbox goes away, or the folder is no longer configured."""
    backoff = 5.0
    lease: _Lease | None = None
    try:
        while not stop.is_set():
            inbox = load(inbox_id)  # again on each reconnect: settings may have changed
            if inbox is None:
                return
            folders = folders_of(inbox)
            watched = folder if folder is not None else (folders[0] if folders else None)
            if watched is None or watched not in folders:
                return
            if lease is None:
                lease = _Lease(inbox_id, watched)
            if not lease.hold():  # another process watches this folder
                _release_db()
                stop.wait(LEASE_SECONDS / 3)
                continue
            config = EmailConfig.model_validate(inbox.config or {})
            try:
                client = imap.connect(config, inbox=inbox)  # may save a refreshed OAuth token
            except imap.MailboxError as exc:
                logger.warning("email idle: inbox %s: %s", inbox_id, exc)
                _release_db()
                stop.wait(backoff)
                backoff = min(backoff * 2, 300.0)
                continue
            _release_db()
            backoff = 5.0
            try:
                _watch(client, inbox_id, watched, stop, lease, on_new=_releasing(on_new),
                       renew=renew, poll=poll, check_every=check_every)
            except (IMAPClientError, OSError) as exc:
                logger.warning("email idle: inbox %s folder %s lost the connection: %s",
                               inbox_id, watched, exc)
                stop.wait(backoff)
            finally:
                imap._close(client)
    finally:
        if lease is not None:
            lease.release()
        _release_db()


def _watch(client: object, inbox_id: int, folder: str, stop: threading.Event, lease: _Lease,
           *, on_new: Callable[[int], None], renew: float, poll: float,
           check_every: float) -> None:
    c: Any = client
    c.select_folder(folder, readonly=True)
    on_new(inbox_id)  # catch up on what arrived while we were away
    if b"IDLE" not in c.capabilities():
        while not stop.wait(poll) and lease.hold():
            on_new(inbox_id)
        return
    c.idle()
    started = time.monotonic()
    while not stop.is_set():
        responses = c.idle_check(timeout=check_every)
        if any(len(r) > 1 and r[1] in NEW_MAIL for r in responses):
            c.idle_done()
            on_new(inbox_id)
            c.idle()
        if not lease.hold():  # lost (cache flushed, a long stall): let the other one watch
            break
        if time.monotonic() - started > renew:
            c.idle_done()
            on_new(inbox_id)
            c.idle()
            started = time.monotonic()
    c.idle_done()


def run_watchers(stop: threading.Event, rescan: float = 300.0) -> None:
    """One thread per mailbox folder; new mailboxes and folders are picked up every `rescan`
    seconds (a thread ends by itself when its folder or inbox goes away)."""
    from storedesk.connectors.email.tasks import mailbox_inbox_ids

    threads: dict[tuple[int, str], threading.Thread] = {}
    while not stop.is_set():
        try:
            for inbox_id in mailbox_inbox_ids():
                inbox = _load(inbox_id)
                for folder in folders_of(inbox) if inbox is not None else []:
                    thread = threads.get((inbox_id, folder))
                    if thread is None or not thread.is_alive():
                        thread = threading.Thread(
                            target=watch_mailbox, args=(inbox_id, stop),
                            kwargs={"folder": folder},
                            name=f"email-idle-{inbox_id}-{folder}", daemon=True)
                        thread.start()
                        threads[(inbox_id, folder)] = thread
        except Exception:  # a database hiccup must not end the watching for good
            logger.exception("email idle: could not list the mailboxes")
        finally:
            _release_db()
        stop.wait(rescan)
    for thread in threads.values():
        thread.join(timeout=10)


def start_watchers() -> Callable[[], None]:
    """Run `run_watchers` in a background thread of this process (with the queue consumer);
    returns the function that stops them. STOREDESK_EMAIL_IDLE=0 turns it off."""
    if os.environ.get("STOREDESK_EMAIL_IDLE", "1").strip().lower() in ("0", "false", "no"):
        return lambda: None
    stop = threading.Event()
    thread = threading.Thread(target=run_watchers, args=(stop,), name="email-idle",
                              daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=15)

    return halt
