"""IMAP IDLE on every configured folder, started the way the worker starts it, against a real
Dovecot: mail delivered to the second folder arrives without the minute poll."""

from __future__ import annotations

import time

import pytest

from storedesk.connectors.email import idle
from storedesk.connectors.email.tests.mailbuilder import mail
from storedesk.connectors.secrets import seal
from storedesk.inbox.models import Inbox, Message
from storedesk.testing.dovecot import DovecotServer

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_watchers_started_with_the_worker_watch_every_folder(
        personas, dovecot: DovecotServer, mailbox: str, settings, monkeypatch):
    settings.FETCH_ALLOW_PRIVATE = True  # loopback Dovecot
    monkeypatch.setenv("STOREDESK_EMAIL_IDLE", "1")
    # given an email inbox watching two folders
    inbox = personas.harbor_email
    Inbox.objects.filter(pk=inbox.pk).update(config={
        "address": "support@harbor.test",
        "imap": dovecot.imap_settings(mailbox, seal(f"pw-{mailbox}"),
                                      folders=["INBOX", "Support"]),
    })
    dovecot.append(mailbox, mail(subject="warm-up"), folder="Support")  # creates the folder
    # when the watchers start as the worker starts them (the minute poll is not running)
    halt = idle.start_watchers()
    try:
        # (each folder's watcher catches up once it is connected: the warm-up mail is filed)
        deadline = time.monotonic() + 60  # a wait bound, not a timing assertion
        while time.monotonic() < deadline and not Message.objects.filter(inbox=inbox).exists():
            time.sleep(0.2)
        assert Message.objects.filter(inbox=inbox).count() == 1
        # and a mail is delivered to the second folder
        dovecot.append(mailbox, mail(subject="Kargom nerede?", message_id="<second@x.test>"),
                       folder="Support")
        # then it is filed: the Support folder's own IDLE connection announced it
        while time.monotonic() < deadline and not Message.objects.filter(
                inbox=inbox, source_id="<second@x.test>").exists():
            time.sleep(0.2)
        assert Message.objects.filter(inbox=inbox, source_id="<second@x.test>").exists()
        # and each folder is watched once (a lease each in the shared cache)
        assert idle._Lease(inbox.pk, "INBOX").hold() is False
        assert idle._Lease(inbox.pk, "Support").hold() is False
    finally:
        halt()
    # stopped: the leases are given back
    assert idle._Lease(inbox.pk, "Support").hold() is True


def test_a_folder_lease_is_held_by_one_watcher_at_a_time():
    first, second = idle._Lease(7, "INBOX"), idle._Lease(7, "INBOX")
    assert first.hold() and first.hold()  # renewing its own
    assert not second.hold()
    first.release()
    assert second.hold() and not first.hold()
    assert idle._Lease(7, "Support").hold()  # another folder, another lease


def test_the_watchers_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("STOREDESK_EMAIL_IDLE", "0")
    import threading

    before = {t.name for t in threading.enumerate()}
    idle.start_watchers()()
    assert "email-idle" not in {t.name for t in threading.enumerate()} - before


def test_a_watcher_holds_no_database_connection_while_it_waits(
        personas, dovecot: DovecotServer, mailbox: str, settings):
    """Each watcher thread gives its connection back before waiting in IDLE: many mailboxes
    must not hold one PostgreSQL connection (or pool slot) each for as long as they watch."""
    import queue
    import threading

    from django.db import connections

    settings.FETCH_ALLOW_PRIVATE = True  # loopback Dovecot
    inbox = personas.harbor_email
    Inbox.objects.filter(pk=inbox.pk).update(config={
        "address": "support@harbor.test",
        "imap": dovecot.imap_settings(mailbox, seal(f"pw-{mailbox}"), folders=["INBOX"]),
    })
    seen: queue.Queue[tuple[bool, int]] = queue.Queue()

    def on_new(inbox_id: int) -> None:
        # what the watcher thread holds when the server wakes it (after load, connect, IDLE)
        seen.put((connections["default"].connection is None,
                  Inbox.objects.filter(pk=inbox_id).count()))  # and it uses the database

    stop = threading.Event()
    watcher = threading.Thread(target=idle.watch_mailbox, args=(inbox.pk, stop),
                               kwargs={"on_new": on_new, "check_every": 0.2}, daemon=True)
    watcher.start()
    try:
        # when it has connected (its catch-up call) and then waits in IDLE until a mail comes
        first = seen.get(timeout=60)  # a wait bound, not a timing assertion
        dovecot.append(mailbox, mail(subject="Where is my parcel?"))
        second = seen.get(timeout=60)
    finally:
        stop.set()
        watcher.join(timeout=30)
    # then it held no connection when woken: not after loading the inbox and connecting,
    # and not after the previous call used the database and the thread sat in IDLE
    assert first == (True, 1)
    assert second == (True, 1)
    assert not watcher.is_alive()
