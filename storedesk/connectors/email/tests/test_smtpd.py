"""The optional SMTP listener: mail for an inbox's address is filed, other recipients are
refused (no open relay)."""

from __future__ import annotations

import smtplib
import socket

import pytest

from storedesk.connectors.email.smtpd import controller
from storedesk.connectors.email.tests.mailbuilder import mail
from storedesk.inbox.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_mail_for_an_inbox_is_filed_and_strangers_are_refused(personas):
    port = _free_port()
    server = controller("127.0.0.1", port)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            # a recipient we do not host is refused: no relaying
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("ayse@example.com", ["someone@elsewhere.test"], mail())
            # the inbox's address (also plus-addressed) is accepted and filed
            client.sendmail("ayse@example.com", ["Support+orders@Harbor.test"], mail())
    finally:
        server.stop()
    [message] = Message.objects.filter(inbox=personas.harbor_email)
    assert message.text == "The vase arrived broken."
    assert message.conversation.subject == "Order #1001 damaged"
