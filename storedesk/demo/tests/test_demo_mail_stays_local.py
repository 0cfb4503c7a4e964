"""The demo uses reserved names only, and its replies never leave the machine."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Agent, Membership
from storedesk.contacts.models import Contact
from storedesk.demo import data
from storedesk.demo.loader import load_demo
from storedesk.inbox import actions
from storedesk.inbox.models import Conversation, Inbox, Message
from storedesk.testing.smtp_server import LocalSmtpServer

pytestmark = pytest.mark.django_db

RESERVED = re.compile(
    r"(^|\.)(example\.(com|net|org)|[a-z0-9-]+\.(test|example|invalid|localhost)|"
    r"(test|example|invalid|localhost))$"
)


def _reserved(host: str) -> bool:
    """A reserved name (RFC 2606 / 6761), or a loopback address (the widget's demo origins)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return bool(RESERVED.search(host.lower()))


def test_demo_data_names_only_reserved_domains():
    # given the demo loaded, and its source data
    load_demo()
    folder = Path(data.__file__).parent
    sources = [folder / "data.py", *folder.glob("commerce.py"), *folder.glob("scenarios/*.py")]
    text = "\n".join(p.read_text() for p in sources)
    # then every email address and URL, in the source and in the database, is reserved
    hosts = {m.split("@", 1)[1] for m in re.findall(r"[\w.+-]+@[\w.-]+\w", text)}
    hosts |= {urlsplit(u).hostname or "" for u in re.findall(r"https?://[^\s\"'<>]+", text)}
    hosts |= {e.split("@", 1)[1] for e in Agent.objects.values_list("email", flat=True)}
    hosts |= {e.split("@", 1)[1] for e in Contact.objects.exclude(email="")
              .values_list("email", flat=True)}
    assert hosts and not {h for h in hosts if not _reserved(h)}


def test_demo_replies_stay_local_even_with_an_smtp_server_configured(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    # given a real SMTP server configured as the server's mail setup
    with LocalSmtpServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.DATA_DIR = tmp_path
        # and the demo loaded (its agents reply to shoppers by email)
        result = load_demo()
        inbox = Inbox.objects.get(account_id=result.account.pk, channel="email")
        conversation = Conversation.objects.filter(inbox=inbox).order_by("pk").first()
        assert conversation is not None
        owner = Membership.objects.get(pk=result.owner.pk)
        # when an agent replies in the demo's email inbox (delivered by the queue)
        with django_capture_on_commit_callbacks(execute=True):
            reply = actions.send_reply(conversation, Actor.agent(owner),
                                       "Your parcel is on its way.")
        # then the reply is delivered to a file in the data dir, and the SMTP server saw nothing
        reply = Message.objects.get(pk=reply.pk)
        assert reply.delivery_status == "sent", reply.delivery_error
        files = list((tmp_path / "sent-mail").glob("*"))
        assert any("Your parcel is on its way." in f.read_text(errors="replace") for f in files)
        assert smtp.handler.messages == [] and smtp.handler.rejected == []
