"""Email replies through a real SMTP server (aiosmtpd on 127.0.0.1), threaded and retry-safe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.connectors.email import threads
from storedesk.inbox.actions import InboundMessage, receive_message, retry_delivery, send_reply
from storedesk.inbox.models import Delivery, Inbox, Message
from storedesk.outbox import runner
from storedesk.testing.smtp_server import LocalSmtpServer

AYSE_MESSAGE_ID = "<CAF-ayse-1@mail.example.com>"


@pytest.fixture
def smtp(personas, settings) -> Iterator[LocalSmtpServer]:
    """Harbor's outgoing mail server, on loopback (allowed for this test only)."""
    settings.FETCH_ALLOW_PRIVATE = True
    with LocalSmtpServer() as server:
        _configure(personas.harbor_email, smtp=server.inbox_settings("support@harbor.test"))
        yield server


def _configure(inbox: Inbox, **extra: object) -> None:
    Inbox.objects.filter(pk=inbox.pk).update(config={"address": "support@harbor.test", **extra})
    inbox.refresh_from_db()


def _ayse_emails(personas, sender: str = "ayse@example.com", email: str = "ayse@example.com"):
    return receive_message(
        personas.harbor_email,
        InboundMessage(
            sender_id=sender,
            email=email,
            name="Ayşe Kaya",
            text="The vase arrived broken.",
            subject="Order #1001 damaged",
            source_id=AYSE_MESSAGE_ID,
        ),
    ).conversation


def _reply(personas, conversation, capture, **kwargs) -> Message:
    with capture(execute=True):
        return send_reply(
            conversation,
            Actor.agent(personas.ahmet),
            "Sorry about that! A new vase is on its way.",
            **kwargs,
        )


def test_reply_is_mailed_in_the_shoppers_thread(personas, smtp, django_capture_on_commit_callbacks):
    # given Ayşe emailed support about a broken vase
    conversation = _ayse_emails(personas)
    # when Ahmet replies with some formatting
    message = _reply(
        personas,
        conversation,
        django_capture_on_commit_callbacks,
        html="<p>Sorry! <b>A new vase</b> is on its way.</p><script>x()</script>",
    )
    # then the mail server received one email, addressed and threaded correctly
    [received] = smtp.messages
    email = received.message
    row = Delivery.objects.get(message=message)
    # (signed: conversation, delivery and an HMAC that replies are checked against)
    expected_id = threads.message_id(conversation.pk, row.pk, "harbor.test")
    assert threads.verify_message_id(expected_id) == (conversation.pk, row.pk)
    assert received.rcpt_tos == ["ayse@example.com"]
    assert email["To"] == "ayse@example.com"
    assert "support@harbor.test" in email["From"]
    assert email["Subject"] == "Re: Order #1001 damaged"
    assert email["Message-ID"] == expected_id
    assert email["In-Reply-To"] == AYSE_MESSAGE_ID
    assert AYSE_MESSAGE_ID in email["References"]
    # with the text and a sanitised HTML alternative
    plain = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert plain is not None and "A new vase is on its way." in plain.get_content()
    assert html is not None and "<b>A new vase</b>" in html.get_content()
    assert "<script>" not in html.get_content()
    # and the message is sent, remembering its Message-ID
    message.refresh_from_db()
    row.refresh_from_db()
    assert message.delivery_status == "sent"
    assert row.provider_message_id == expected_id


def test_second_reply_references_the_first(personas, smtp, django_capture_on_commit_callbacks):
    conversation = _ayse_emails(personas)
    first = _reply(personas, conversation, django_capture_on_commit_callbacks)
    second = _reply(personas, conversation, django_capture_on_commit_callbacks)
    first_id = Delivery.objects.get(message=first).provider_message_id
    later = smtp.messages[1].message
    assert Delivery.objects.get(message=second).status == "sent"
    assert later["In-Reply-To"] == AYSE_MESSAGE_ID
    assert later["References"].split() == [AYSE_MESSAGE_ID, first_id]


def test_hard_bounce_fails_permanently_and_retry_keeps_the_message_id(
    personas, smtp, django_capture_on_commit_callbacks
):
    # given the mail server rejects the message with 550
    smtp.reject_next(1, "550 5.1.1 Mailbox unavailable")
    conversation = _ayse_emails(personas)
    # when Ahmet replies
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then it failed permanently with the server's answer
    message.refresh_from_db()
    row = Delivery.objects.get(message=message)
    assert (row.status, row.attempts) == ("failed", 1)
    assert message.delivery_status == "failed"
    assert "550" in message.delivery_error
    assert smtp.messages == []
    # when the agent retries after the shopper's mailbox is fixed
    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(message, Actor.agent(personas.ahmet))
    # then the same Message-ID goes out, so clients see one message
    [rejected] = smtp.rejected
    [accepted] = smtp.messages
    assert accepted.message["Message-ID"] == rejected.message["Message-ID"]
    message.refresh_from_db()
    assert message.delivery_status == "sent"


def test_temporary_rejection_is_retried_with_the_same_message_id(
    personas, smtp, django_capture_on_commit_callbacks
):
    # given the mail server is greylisting (451)
    smtp.reject_next(1, "451 4.7.1 Greylisted, try again later")
    conversation = _ayse_emails(personas)
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    row = Delivery.objects.get(message=message)
    assert row.status == "queued"
    assert "451" in row.last_error
    # when the retry is due and runs
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert runner.run("message", row.pk) == "sent"
    # then one email was accepted, carrying the Message-ID of the first try
    [rejected] = smtp.rejected
    [accepted] = smtp.messages
    assert accepted.message["Message-ID"] == rejected.message["Message-ID"]


def test_unreachable_mail_server_is_retried(personas, settings, django_capture_on_commit_callbacks):
    # given the mail server is down (nothing listens on its port)
    settings.FETCH_ALLOW_PRIVATE = True
    down = LocalSmtpServer()  # never started
    _configure(personas.harbor_email, smtp=down.inbox_settings("support@harbor.test"))
    conversation = _ayse_emails(personas)
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then the delivery waits for another attempt instead of failing
    row = Delivery.objects.get(message=message)
    message.refresh_from_db()
    assert row.status == "queued"
    assert message.delivery_status == "pending"
    assert "mail server" in row.last_error


def test_contact_without_an_email_address_fails_with_a_clear_message(
    personas, smtp, django_capture_on_commit_callbacks
):
    # given a contact known only by a handle, without an email address
    conversation = _ayse_emails(personas, sender="ayse-from-the-phone", email="")
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "no email address" in message.delivery_error
    assert smtp.messages == []


def test_mail_server_inside_our_network_is_refused_when_private_is_not_allowed(
    personas, smtp, settings, django_capture_on_commit_callbacks
):
    settings.FETCH_ALLOW_PRIVATE = False
    conversation = _ayse_emails(personas)
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "loopback" in message.delivery_error
    assert smtp.messages == []


def test_without_smtp_settings_the_default_backend_is_used(
    personas, django_capture_on_commit_callbacks
):
    # given an email inbox without its own SMTP server (the demo: console backend), as the
    # settings form saves it: an smtp block with an empty host
    _configure(
        personas.harbor_email,
        smtp={"host": "", "port": None, "username": "", "password": "", "security": "starttls"},
    )
    conversation = _ayse_emails(personas)
    # when Ahmet replies
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    # then Django's configured backend (locmem under tests) got it
    [sent] = mail.outbox
    assert sent.to == ["ayse@example.com"]
    assert sent.subject == "Re: Order #1001 damaged"
    assert sent.extra_headers["In-Reply-To"] == AYSE_MESSAGE_ID
    message.refresh_from_db()
    assert message.delivery_status == "sent"


def test_attachments_travel_with_the_email(personas, smtp, django_capture_on_commit_callbacks):
    from storedesk.inbox.storage import IncomingFile

    conversation = _ayse_emails(personas)
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(
            conversation,
            Actor.agent(personas.ahmet),
            "Your return label is attached.",
            attachments=[IncomingFile("label.pdf", b"%PDF-1.4 label", "application/pdf")],
        )
    [received] = smtp.messages
    [part] = list(received.message.iter_attachments())
    assert part.get_filename() == "label.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == b"%PDF-1.4 label"


def test_a_password_no_key_opens_fails_with_a_clear_message(
    personas, smtp, settings, django_capture_on_commit_callbacks
):
    from storedesk.connectors.secrets import seal

    # given the inbox's SMTP password was sealed under a secret key that is gone now
    _configure(personas.harbor_email, smtp={**smtp.inbox_settings("support@harbor.test"),
                                            "username": "support", "password": seal("pw")})
    settings.SECRET_KEY = "a-new-secret-key-without-the-old-one-as-fallback"
    conversation = _ayse_emails(personas)
    message = _reply(personas, conversation, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "enter it again in the inbox settings" in message.delivery_error
    assert smtp.messages == []


@pytest.mark.parametrize("typed, delivered", [("s3cret-smtp", True), ("wrong", False)])
def test_the_sealed_password_authenticates_at_the_mail_server(
    personas, settings, django_capture_on_commit_callbacks, typed, delivered
):
    from storedesk.connectors.actions import change_inbox_setup
    from storedesk.connectors.email.config import EmailConfig, SmtpSettings
    from storedesk.connectors.secrets import seal

    settings.FETCH_ALLOW_PRIVATE = True
    with LocalSmtpServer(credentials=("support", "s3cret-smtp")) as server:
        # given Olivia saved the inbox's own SMTP server with its password (sealed at rest)
        change_inbox_setup(personas.harbor_email, name="Support email", config=EmailConfig(
            address="support@harbor.test",
            smtp=SmtpSettings(host="127.0.0.1", port=server.port, security="none",
                              username="support", password=seal(typed))))
        conversation = _ayse_emails(personas)
        # when Ahmet replies
        message = _reply(personas, conversation, django_capture_on_commit_callbacks)
        message.refresh_from_db()
        # then the transport revealed the password to log in (or was refused, permanently)
        if delivered:
            assert server.logins == ["support"] and len(server.messages) == 1
            assert message.delivery_status == "sent"
        else:
            assert server.logins == [] and server.messages == []
            assert message.delivery_status == "failed" and "535" in message.delivery_error
