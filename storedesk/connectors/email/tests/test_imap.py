"""IMAP inbound against a real Dovecot: mail arrives as conversations, is marked \\Seen only
after it was committed, UIDVALIDITY changes are survived, duplicates are stored once, bad
mail becomes a dead letter while the fetch goes on, a dead server only fails its own mailbox,
and IDLE notices new mail at once."""

from __future__ import annotations

import socket
import threading

import pytest

from storedesk.connectors.email import imap, tasks
from storedesk.connectors.email.idle import watch_mailbox
from storedesk.connectors.email.models import DeadLetter, MailboxState
from storedesk.connectors.email.tests.mailbuilder import mail
from storedesk.connectors.secrets import seal
from storedesk.inbox.models import Conversation, Inbox, Message
from storedesk.testing.dovecot import DovecotServer

SEEN = b"\\Seen"


@pytest.fixture
def imap_inbox(personas, dovecot: DovecotServer, mailbox: str, settings) -> Inbox:
    settings.FETCH_ALLOW_PRIVATE = True  # loopback Dovecot
    inbox = personas.harbor_email
    Inbox.objects.filter(pk=inbox.pk).update(config={
        "address": "support@harbor.test",
        "imap": dovecot.imap_settings(mailbox, seal(f"pw-{mailbox}"), folders=["INBOX"]),
    })
    inbox.refresh_from_db()
    return inbox


def test_new_mail_arrives_as_conversations_and_is_marked_seen(
    imap_inbox, dovecot, mailbox
):
    # given two shoppers' mails in the mailbox
    dovecot.append(mailbox, mail())
    dovecot.append(mailbox, mail(sender="Jan Kowalski <jan@example.pl>", subject="Faktura",
                                 message_id="<jan-1@example.pl>", text="Proszę o fakturę."))
    # when the mailbox is fetched
    report = imap.fetch_mailbox(imap_inbox)
    # then both are conversations, and both are \Seen on the server
    assert report.filed == 2
    subjects = set(Conversation.objects.filter(inbox=imap_inbox).values_list("subject", flat=True))
    assert subjects == {"Order #1001 damaged", "Faktura"}
    assert all(SEEN in flags for flags in dovecot.flags(mailbox).values())
    state = MailboxState.objects.get(inbox=imap_inbox, folder="INBOX")
    assert state.last_uid == 2 and state.uidvalidity and state.last_error == ""
    # and a second fetch files nothing new
    again = imap.fetch_mailbox(imap_inbox)
    assert again.filed == 0
    assert Message.objects.filter(inbox=imap_inbox).count() == 2


def test_a_mail_is_marked_seen_only_after_it_was_committed(
    imap_inbox, dovecot, mailbox, monkeypatch
):
    # given a mail, and a filing step that fails (a database outage, say)
    dovecot.append(mailbox, mail())

    def broken_ingest(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(imap, "ingest", broken_ingest)
    with pytest.raises(RuntimeError):
        imap.fetch_mailbox(imap_inbox)
    # then the mail stays unseen on the server and its UID is not recorded
    [flags] = dovecot.flags(mailbox).values()
    assert SEEN not in flags
    assert MailboxState.objects.get(inbox=imap_inbox, folder="INBOX").last_uid == 0
    # and once filing works again, it is filed exactly once
    monkeypatch.undo()
    assert imap.fetch_mailbox(imap_inbox).filed == 1
    assert Message.objects.filter(inbox=imap_inbox).count() == 1


def test_the_same_mail_fetched_twice_is_stored_once(imap_inbox, dovecot, mailbox):
    # given the same mail delivered twice (a server-side retry), and in two folders
    Inbox.objects.filter(pk=imap_inbox.pk).update(config={
        **imap_inbox.config, "imap": {**imap_inbox.config["imap"],
                                      "folders": ["INBOX", "Support"]}})
    imap_inbox.refresh_from_db()
    dovecot.append(mailbox, mail())
    dovecot.append(mailbox, mail())
    dovecot.append(mailbox, mail(), folder="Support")
    report = imap.fetch_mailbox(imap_inbox)
    assert report.filed == 1 and report.duplicates == 2
    assert Message.objects.filter(inbox=imap_inbox).count() == 1


def test_a_uidvalidity_change_starts_over_without_duplicates(imap_inbox, dovecot, mailbox):
    Inbox.objects.filter(pk=imap_inbox.pk).update(config={
        **imap_inbox.config, "imap": {**imap_inbox.config["imap"], "folders": ["Support"]}})
    imap_inbox.refresh_from_db()
    dovecot.append(mailbox, mail(), folder="Support")
    imap.fetch_mailbox(imap_inbox)
    before = MailboxState.objects.get(inbox=imap_inbox, folder="Support")
    # when the folder is re-created (its UIDs now mean other mails) with old and new mail
    dovecot.recreate_folder(mailbox, "Support")
    dovecot.append(mailbox, mail(), folder="Support")
    dovecot.append(mailbox, mail(message_id="<new-after-reset@example.com>",
                                 subject="After the reset"), folder="Support")
    report = imap.fetch_mailbox(imap_inbox)
    # then the new UIDVALIDITY is taken, the old mail is not filed again, the new one is
    after = MailboxState.objects.get(inbox=imap_inbox, folder="Support")
    assert after.uidvalidity != before.uidvalidity
    assert report.uidvalidity_reset == ["Support"]
    assert report.filed == 1 and report.duplicates == 1
    assert Message.objects.filter(inbox=imap_inbox).count() == 2


def test_a_broken_mail_becomes_a_dead_letter_and_the_fetch_goes_on(
    imap_inbox, dovecot, mailbox
):
    dovecot.append(mailbox, b"Subject: no sender at all\r\n\r\nwho wrote this?\r\n")
    dovecot.append(mailbox, mail())
    report = imap.fetch_mailbox(imap_inbox)
    assert report.dead_letters == 1 and report.filed == 1
    letter = DeadLetter.objects.get(inbox=imap_inbox)
    assert letter.source == "imap" and "From" in letter.reason
    assert all(SEEN in flags for flags in dovecot.flags(mailbox).values())


def test_a_wrong_password_is_reported_as_a_login_failure(imap_inbox, mailbox):
    Inbox.objects.filter(pk=imap_inbox.pk).update(config={
        **imap_inbox.config, "imap": {**imap_inbox.config["imap"], "password": seal("nope")}})
    imap_inbox.refresh_from_db()
    with pytest.raises(imap.MailboxError) as error:
        imap.fetch_mailbox(imap_inbox)
    assert error.value.step == "login"
    assert "login" in MailboxState.objects.get(inbox=imap_inbox).last_error


def test_a_missing_folder_is_reported_as_a_folder_failure(imap_inbox):
    Inbox.objects.filter(pk=imap_inbox.pk).update(config={
        **imap_inbox.config, "imap": {**imap_inbox.config["imap"], "folders": ["Nope"]}})
    imap_inbox.refresh_from_db()
    with pytest.raises(imap.MailboxError) as error:
        imap.fetch_mailbox(imap_inbox)
    assert error.value.step == "folder"


def test_a_silent_server_only_fails_its_own_mailbox(
    personas, imap_inbox, dovecot, mailbox, settings
):
    # given a second email inbox whose server accepts connections but never answers
    settings.STOREDESK_EMAIL_SOCKET_TIMEOUT = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    from storedesk.connectors.actions import set_up_inbox

    stuck = set_up_inbox(personas.harbor, "email", name="Stuck", config={
        "address": "stuck@harbor.test",
        "imap": {"host": "127.0.0.1", "port": silent.getsockname()[1], "security": "none",
                 "username": "x", "password": seal("x")}})
    dovecot.append(mailbox, mail())
    try:
        # when the minute poll runs (tasks run at once under test)
        tasks.poll_mailboxes.call_local()
    finally:
        silent.close()
    # then the working mailbox's mail is filed, the stuck one recorded its error
    assert Message.objects.filter(inbox=imap_inbox).count() == 1
    assert "connect" in MailboxState.objects.get(inbox=stuck).last_error or \
        "timed out" in MailboxState.objects.get(inbox=stuck).last_error


def test_idle_notices_new_mail(imap_inbox, dovecot, mailbox):
    # given a watcher in IDLE on the mailbox
    stop = threading.Event()
    woke: list[int] = []
    arrived = threading.Event()

    def on_new(inbox_id: int) -> None:
        woke.append(inbox_id)
        if len(woke) >= 2:
            arrived.set()

    watcher = threading.Thread(target=watch_mailbox, args=(imap_inbox.pk, stop),
                               kwargs={"on_new": on_new, "check_every": 0.2,
                                       "load": lambda _pk: imap_inbox}, daemon=True)
    watcher.start()
    try:
        # (it catches up once when it connects)
        for _ in range(100):
            if woke:
                break
            threading.Event().wait(0.1)
        # when a mail is delivered
        dovecot.append(mailbox, mail())
        # then the watcher is woken by the server's EXISTS, without polling
        assert arrived.wait(10)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert woke[:2] == [imap_inbox.pk, imap_inbox.pk]
