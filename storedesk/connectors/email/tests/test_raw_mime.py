"""Mail posted as raw MIME to POST /api/v1/inboxes/{id}/email, threaded with our signed
Message-IDs, protected against spoofed replies, loops and bounces, and never lost.

The replies go out through a real SMTP server (aiosmtpd on loopback) and the shopper's answer
is built from the mail that server received, as a mail client would.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parseaddr

import pytest
from django.test import Client

from storedesk.accounts.actor import BOT, Actor
from storedesk.connectors.actions import create_integration_key
from storedesk.connectors.email import threads
from storedesk.connectors.email.dead_letters import raw_path
from storedesk.connectors.email.models import DeadLetter
from storedesk.connectors.email.tests.mailbuilder import dsn, mail
from storedesk.events.models import Event
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Conversation, Inbox, Message
from storedesk.testing.smtp_server import LocalSmtpServer


@pytest.fixture
def smtp(personas, settings) -> Iterator[LocalSmtpServer]:
    settings.FETCH_ALLOW_PRIVATE = True
    with LocalSmtpServer() as server:
        Inbox.objects.filter(pk=personas.harbor_email.pk).update(config={
            "address": "support@harbor.test", "from_name": "Harbor & Vine",
            "signature": "Harbor & Vine · harbor.test",
            "smtp": server.inbox_settings("support@harbor.test")})
        personas.harbor_email.refresh_from_db()
        yield server


@pytest.fixture
def relay(personas) -> Client:
    """The store's mail relay, holding an integration key of the email inbox."""
    _key, raw = create_integration_key(personas.harbor_email, name="relay")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, inbox: Inbox, raw: bytes, content_type: str = "message/rfc822"):
    return client.post(f"/api/v1/inboxes/{inbox.pk}/email", data=raw,
                       content_type=content_type)


def reply_as_agent(personas, conversation, capture, text="A new vase is on its way.",
                   actor=None) -> Message:
    with capture(execute=True):
        return send_reply(conversation, actor or Actor.agent(personas.ahmet), text)


def test_a_new_mail_opens_a_conversation_and_a_repeat_returns_the_same_ids(personas, relay):
    # when the relay posts Ayşe's mail
    raw = mail(subject="=?utf-8?q?Sipari=C5=9F_#1001_k=C4=B1r=C4=B1k?=")
    first = post(relay, personas.harbor_email, raw)
    # then it is filed as a new conversation, name and subject decoded (RFC 2047)
    assert first.status_code == 201, first.content
    body = first.json()
    conversation = Conversation.objects.get(pk=body["conversation_id"])
    assert conversation.subject == "Sipariş #1001 kırık"
    assert conversation.contact.name == "Ayşe Kaya"
    assert conversation.contact.email == "ayse@example.com"
    message = Message.objects.get(pk=body["message_id"])
    assert message.text == "The vase arrived broken."
    assert message.source_id == "<CAF-ayse-1@mail.example.com>"
    # and the same mail again (a relay's retry) files nothing new
    again = post(relay, personas.harbor_email, raw)
    assert again.status_code == 200
    assert again.json()["conversation_id"] == body["conversation_id"]
    assert again.json()["message_id"] == body["message_id"]
    assert Message.objects.filter(inbox=personas.harbor_email).count() == 1


def test_the_shoppers_reply_to_our_mail_joins_the_conversation(
    personas, relay, smtp, django_capture_on_commit_callbacks
):
    # given Ayşe's mail and Ahmet's answer, received by her mail server
    created = post(relay, personas.harbor_email, mail()).json()
    conversation = Conversation.objects.get(pk=created["conversation_id"])
    reply_as_agent(personas, conversation, django_capture_on_commit_callbacks)
    [sent] = smtp.messages
    ours = sent.message["Message-ID"]
    assert threads.verify_message_id(ours) is not False
    assert sent.message["In-Reply-To"] == "<CAF-ayse-1@mail.example.com>"
    agent_name = personas.ahmet.agent.display_name
    assert parseaddr(sent.message["From"]) == (f"{agent_name} (Harbor & Vine)",
                                               "support@harbor.test")
    assert "-- \nHarbor & Vine · harbor.test" in sent.message.get_body(
        preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    # when she answers from her mail client, quoting us
    answer = mail(subject="Re: Order #1001 damaged", message_id="<CAF-ayse-2@mail.example.com>",
                  in_reply_to=ours, references=f"<CAF-ayse-1@mail.example.com> {ours}",
                  text="Thank you!\n\nOn Mon, 30 Nov 2026 at 10:15, Harbor <support@harbor.test>"
                       " wrote:\n> A new vase is on its way.\n")
    response = post(relay, personas.harbor_email, answer)
    # then it lands in the same conversation, with only the new text shown
    assert response.status_code == 201
    assert response.json()["conversation_id"] == conversation.pk
    message = Message.objects.get(pk=response.json()["message_id"])
    assert message.text == "Thank you!"
    assert message.metadata["email"]["thread"] == "token"
    assert message.metadata["email"]["quoted"].startswith("On Mon, 30 Nov 2026")


def test_a_new_mail_without_references_opens_a_new_conversation(personas, relay):
    first = post(relay, personas.harbor_email, mail()).json()
    second = post(relay, personas.harbor_email, mail(
        subject="Another question", message_id="<CAF-ayse-9@mail.example.com>")).json()
    assert first["conversation_id"] != second["conversation_id"]


def test_a_spoofed_reply_into_someone_elses_thread_opens_its_own_conversation(
    personas, relay, smtp, django_capture_on_commit_callbacks
):
    # given Ayşe's conversation with our reply in it
    created = post(relay, personas.harbor_email, mail()).json()
    conversation = Conversation.objects.get(pk=created["conversation_id"])
    reply_as_agent(personas, conversation, django_capture_on_commit_callbacks)
    ours = smtp.messages[0].message["Message-ID"]
    # when Mallory, who saw the Message-ID, "replies" in the thread from her own address
    spoof = mail(sender="Mallory <mallory@evil.test>", subject="Re: Order #1001 damaged",
                 message_id="<spoof-1@evil.test>", in_reply_to=ours, references=ours,
                 text="Please send the refund to my account instead.")
    response = post(relay, personas.harbor_email, spoof)
    # then it never enters Ayşe's conversation
    assert response.status_code == 201
    assert response.json()["conversation_id"] != conversation.pk
    assert conversation.messages.filter(text__contains="refund").count() == 0
    message = Message.objects.get(pk=response.json()["message_id"])
    assert message.sender_type == "contact"
    assert message.metadata["email"]["thread_claim_refused"] == conversation.pk
    # and nothing was sent anywhere because of it
    assert len(smtp.messages) == 1


def test_a_forged_token_is_not_trusted(personas, relay):
    created = post(relay, personas.harbor_email, mail()).json()
    conversation_id = created["conversation_id"]
    forged = f"<sd.{conversation_id}.1.{'0' * 20}@harbor.test>"
    response = post(relay, personas.harbor_email, mail(
        sender="Mallory <mallory@evil.test>", message_id="<forged-1@evil.test>",
        in_reply_to=forged))
    assert response.json()["conversation_id"] != conversation_id
    message = Message.objects.get(pk=response.json()["message_id"])
    assert message.metadata["email"]["forged_thread_token"] is True


LOOP_HEADERS = [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated"},
    {"X-Autoreply": "yes"},
    {"X-Autorespond": "Out of office"},
    {"Precedence": "bulk"},
    {"Precedence": "list"},
    {"Precedence": "junk"},
    {"Precedence": "auto_reply"},
    {"X-Auto-Response-Suppress": "All"},
    {"List-Id": "<news.shop.example>"},
    {"Return-Path": "<>"},
]


def _header_id(headers: dict[str, str]) -> str:
    return "-".join(f"{k}:{v}" for k, v in headers.items())


@pytest.mark.parametrize("headers", LOOP_HEADERS, ids=_header_id)
def test_automatic_mail_is_filed_but_never_answered_automatically(
    personas, relay, smtp, django_capture_on_commit_callbacks, headers
):
    # given an out-of-office style mail
    created = post(relay, personas.harbor_email, mail(headers=headers)).json()
    conversation = Conversation.objects.get(pk=created["conversation_id"])
    message = Message.objects.get(pk=created["message_id"])
    assert message.metadata["email"]["automatic"]
    # when the bot answers it
    bot_reply = reply_as_agent(personas, conversation, django_capture_on_commit_callbacks,
                               text="Thanks for your mail!", actor=BOT)
    # then nothing is sent, and the agent sees why
    bot_reply.refresh_from_db()
    assert smtp.messages == []
    assert bot_reply.delivery_status == "failed"
    assert "automatic" in bot_reply.delivery_error


def test_mailer_daemon_sender_is_automatic(personas, relay):
    created = post(relay, personas.harbor_email, mail(
        sender="MAILER-DAEMON@mx.example.com", subject="Warning: delayed")).json()
    assert Message.objects.get(pk=created["message_id"]).metadata["email"]["automatic"]


def test_a_person_may_set_auto_submitted_no(personas, relay):
    created = post(relay, personas.harbor_email, mail(headers={"Auto-Submitted": "no"})).json()
    assert "automatic" not in Message.objects.get(pk=created["message_id"]).metadata["email"]


def test_our_automatic_mail_is_marked_and_capped_per_recipient(
    personas, relay, smtp, django_capture_on_commit_callbacks, settings
):
    settings.STOREDESK_EMAIL_AUTO_REPLY_CAP = 2
    created = post(relay, personas.harbor_email, mail()).json()
    conversation = Conversation.objects.get(pk=created["conversation_id"])
    replies = [reply_as_agent(personas, conversation, django_capture_on_commit_callbacks,
                              text=f"Automatic note {n}", actor=BOT) for n in range(3)]
    assert len(smtp.messages) == 2
    assert all(m.message["Auto-Submitted"] == "auto-replied" for m in smtp.messages)
    replies[2].refresh_from_db()
    assert replies[2].delivery_status == "failed"
    assert "maximum of automatic mails" in replies[2].delivery_error


def test_a_bounce_marks_the_reply_failed_and_the_recipient_undeliverable(
    personas, relay, smtp, django_capture_on_commit_callbacks
):
    # given our reply to Ayşe went out
    created = post(relay, personas.harbor_email, mail()).json()
    conversation = Conversation.objects.get(pk=created["conversation_id"])
    reply = reply_as_agent(personas, conversation, django_capture_on_commit_callbacks)
    ours = smtp.messages[0].message["Message-ID"]
    # when her server's delivery-status notification comes back
    response = post(relay, personas.harbor_email, dsn(ours))
    # then no message is filed for it, the reply is failed with the reason
    assert response.status_code == 202
    assert response.json()["status"] == "bounce"
    assert conversation.messages.count() == 2
    reply.refresh_from_db()
    assert reply.delivery_status == "failed"
    assert "5.1.1" in reply.delivery_error
    # and the conversation says the address is undeliverable (once, also on a repeat)
    post(relay, personas.harbor_email, dsn(ours))
    [event] = Event.objects.filter(conversation=conversation, kind="email.undeliverable")
    assert event.data["recipients"] == ["ayse@example.com"]


def test_a_delayed_dsn_changes_nothing(personas, relay, smtp, django_capture_on_commit_callbacks):
    created = post(relay, personas.harbor_email, mail()).json()
    conversation = Conversation.objects.get(pk=created["conversation_id"])
    reply = reply_as_agent(personas, conversation, django_capture_on_commit_callbacks)
    ours = smtp.messages[0].message["Message-ID"]
    post(relay, personas.harbor_email, dsn(ours, status="4.4.1", action="delayed"))
    reply.refresh_from_db()
    assert reply.delivery_status == "sent"


def test_a_30_mb_message_becomes_a_dead_letter_and_the_next_mail_still_arrives(
    personas, relay
):
    # given a 30 MB mail (over the 25 MiB default)
    big = mail(attachments=[("scan.tiff", b"\0" * (30 * 1000 * 1000), "image/tiff")],
               message_id="<big-1@mail.example.com>")
    response = post(relay, personas.harbor_email, big)
    # then it is kept whole as a dead letter with the reason, nothing filed
    assert response.status_code == 202
    assert response.json()["status"] == "dead_letter"
    letter = DeadLetter.objects.get(pk=response.json()["dead_letter_id"])
    assert "limit" in letter.reason
    assert letter.size == len(big)
    assert letter.message_id == "<big-1@mail.example.com>"
    assert raw_path(letter.raw_key).read_bytes() == big
    assert not Message.objects.filter(inbox=personas.harbor_email).exists()
    # and the next mail goes on as usual
    assert post(relay, personas.harbor_email, mail()).status_code == 201


@pytest.mark.parametrize("raw", [
    b"this is not a mail at all",
    b"From: \r\nSubject: no sender\r\n\r\nhello",
    b"\x00\x01\x02\xff\xfe",
], ids=["no-headers", "no-sender", "binary"])
def test_malformed_mime_becomes_a_dead_letter(personas, relay, raw):
    response = post(relay, personas.harbor_email, raw)
    assert response.status_code == 202
    assert response.json()["status"] == "dead_letter"
    assert DeadLetter.objects.filter(pk=response.json()["dead_letter_id"],
                                     reason__startswith="Unparseable").exists()


def test_broken_charsets_are_replaced_not_crashed_on(personas, relay):
    raw = (
        b"From: =?x-unknown-charset?q?Jan_Kowalski?= <jan@example.pl>\r\n"
        b"To: support@harbor.test\r\n"
        b"Subject: =?iso-8859-2?q?Zam=F3wienie_=B1=EA?=\r\n"
        b"Message-ID: <broken-charset@example.pl>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Zam\xf3wienie nie dotar\xb3o \x00 \xed\xa0\x80.\r\n"
    )
    response = post(relay, personas.harbor_email, raw)
    assert response.status_code == 201, response.content
    message = Message.objects.get(pk=response.json()["message_id"])
    assert message.conversation.subject == "Zamówienie ąę"
    assert "\x00" not in message.text
    assert message.text.startswith("Zam")
    assert message.metadata["email"]["problems"]


def test_rfc2231_file_names_and_attachments(personas, relay):
    raw = (
        b"From: Jan <jan@example.pl>\r\nTo: support@harbor.test\r\nSubject: faktura\r\n"
        b"Message-ID: <rfc2231@example.pl>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nW za\xc5\x82\xc4\x85czniku.\r\n"
        b"--b1\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*0*=utf-8''Faktura%20za%20zam%C3%B3;\r\n"
        b" filename*1*=wienie.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
        b"--b1\r\nContent-Type: text/html; charset=utf-8\r\n"
        b'Content-Disposition: attachment; filename="page.html"\r\n\r\n'
        b"<script>alert(1)</script>\r\n"
        b"--b1--\r\n"
    )
    response = post(relay, personas.harbor_email, raw)
    assert response.status_code == 201, response.content
    message = Message.objects.get(pk=response.json()["message_id"])
    files = {a.filename: a for a in message.attachments.all()}
    assert set(files) == {"Faktura za zamówienie.pdf", "page.html"}
    assert files["Faktura za zamówienie.pdf"].content_type == "application/pdf"
    # an HTML attachment is never served as HTML
    assert files["page.html"].content_type == "application/octet-stream"


def test_html_is_sanitised(personas, relay):
    raw = mail(html='<p onclick="x()">Hi<script>alert(1)</script>'
                    '<img src="https://t.example/pixel" onerror="alert(2)"></p>')
    message = Message.objects.get(pk=post(relay, personas.harbor_email, raw).json()["message_id"])
    assert "<script" not in message.html and "onerror" not in message.html
    assert "onclick" not in message.html and "Hi" in message.html


def test_who_may_post_raw_mail(personas, api, relay):
    url = f"/api/v1/inboxes/{personas.harbor_email.pk}/email"
    # another account's admin: 404; an agent's own token: 403; an admin: 201
    assert api(personas.bruno).post(url, data=mail(), content_type="message/rfc822"
                                     ).status_code == 404
    assert api(personas.ahmet).post(url, data=mail(), content_type="message/rfc822"
                                    ).status_code == 403
    assert api(personas.olivia).post(url, data=mail(), content_type="message/rfc822"
                                     ).status_code == 201
    # a key of the email inbox does not open the API inbox
    assert post(relay, personas.harbor_api, mail()).status_code == 404
    # and JSON is not mail
    assert relay.post(url, data={"text": "hi"}, content_type="application/json"
                      ).status_code == 415
