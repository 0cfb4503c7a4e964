"""Email replies from the workspace composer, through a real SMTP server (aiosmtpd): Markdown as
an HTML alternative with a plain part, Cc and Bcc (Bcc never in a header), Cc remembered on the
conversation, exactly one signature, and inline cid: images shown from our stored copies."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from django.utils import translation

from storedesk.accounts.actor import Actor
from storedesk.connectors.email import participants
from storedesk.connectors.email.ingest import ingest
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Attachment, Conversation, Inbox, Message
from storedesk.testing.smtp_server import LocalSmtpServer
from storedesk.workspace.actions import SignatureSource, set_signature
from storedesk.workspace.tests.test_views_conversation import client_for, hx, url

PNG = b"\x89PNG\r\n\x1a\n" + bytes(48)


@pytest.fixture
def smtp(personas, settings) -> Iterator[LocalSmtpServer]:
    settings.FETCH_ALLOW_PRIVATE = True
    with LocalSmtpServer() as server:
        _configure(personas.harbor_email, smtp=server.inbox_settings("support@harbor.test"))
        yield server


def _configure(inbox: Inbox, **extra: object) -> None:
    config = {"address": "support@harbor.test", **(inbox.config or {}), **extra}
    Inbox.objects.filter(pk=inbox.pk).update(config=config)
    inbox.refresh_from_db()


def _mail(n: int, *, cc: str = "", to: str = "support@harbor.test", html: str = "",
          image_cid: str = "", reply_to_id: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ayşe Kaya <ayse@example.com>"
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = "Order #1001 damaged"
    msg["Message-ID"] = f"<ayse-{n}@mail.example.com>"
    if reply_to_id:
        msg["In-Reply-To"] = reply_to_id
        msg["References"] = reply_to_id
    msg.set_content("The vase arrived broken.")
    if html:
        msg.add_alternative(html, subtype="html")
        if image_cid:
            msg.get_payload()[1].add_related(PNG, maintype="image", subtype="png",
                                             cid=f"<{image_cid}>", filename="photo.png")
    return msg.as_bytes()


def _conversation(personas, **kwargs) -> Conversation:
    outcome = ingest(personas.harbor_email, _mail(1, **kwargs), source="test")
    assert outcome.kind == "filed", outcome
    return Conversation.objects.get(pk=outcome.conversation_id)


def _send(client, conversation, capture, data) -> object:
    with capture(execute=True):
        return hx(client, "post", url("reply", conversation), data)


def test_cc_and_bcc_from_the_composer_reach_the_server_and_bcc_stays_hidden(
        personas, smtp, django_capture_on_commit_callbacks):
    conversation = _conversation(personas)
    olivia = client_for(personas.olivia)
    # the composer of an email conversation has Cc and Bcc fields (a chat's has none)
    pane = hx(olivia, "get", url("conversation", conversation)).content.decode()
    assert 'name="cc"' in pane and 'name="bcc"' in pane
    # when olivia replies in Markdown, copying the shop's warehouse and hiding the owner
    response = _send(olivia, conversation, django_capture_on_commit_callbacks, {
        "text": "We are **sorry**: a new vase is *on its way*.",
        "cc": "Warehouse <warehouse@harbor.test>, ayse@example.com",
        "bcc": "owner@harbor.test"})
    assert response.status_code == 200
    [received] = smtp.messages
    email = received.message
    # then the server was asked to deliver to all three (the shopper's address only once)
    assert sorted(received.rcpt_tos) == [
        "ayse@example.com", "owner@harbor.test", "warehouse@harbor.test"]
    # and the mail shows To and Cc, while the Bcc address appears nowhere in it
    assert email["To"] == "ayse@example.com"
    assert email["Cc"] == "warehouse@harbor.test"
    assert email["Bcc"] is None
    assert b"owner@harbor.test" not in received.raw
    # with the formatting as HTML and a plain part
    html = email.get_body(preferencelist=("html",)).get_content()
    plain = email.get_body(preferencelist=("plain",)).get_content()
    assert "<strong>sorry</strong>" in html and "<em>on its way</em>" in html
    assert "We are sorry: a new vase is on its way." in plain and "**" not in plain
    # and the agents see who got it
    thread = hx(olivia, "get", url("thread", conversation)).content.decode()
    assert "Cc: warehouse@harbor.test" in thread and "Bcc: owner@harbor.test" in thread


def test_bad_addresses_stop_the_reply_with_a_clear_message(
        personas, smtp, django_capture_on_commit_callbacks):
    conversation = _conversation(personas)
    olivia = client_for(personas.olivia)
    refused = _send(olivia, conversation, django_capture_on_commit_callbacks, {
        "text": "Hello", "cc": "not-an-address, ok@shop.test",
        "bcc": "x@y.test\r\nBcc: evil@attacker.test"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Cc: not an email address: not-an-address" in body
    assert "Bcc: one line of addresses, please." in body
    # what she typed stays in the fields, and nothing was stored or sent
    assert 'value="not-an-address, ok@shop.test"' in body
    assert not Message.objects.filter(conversation=conversation, direction="outgoing").exists()
    assert smtp.messages == []


def test_cc_is_remembered_on_the_conversation(
        personas, smtp, django_capture_on_commit_callbacks):
    # given Ayşe wrote copying her husband
    conversation = _conversation(personas, cc="Mehmet <mehmet@example.com>")
    olivia = client_for(personas.olivia)
    # then the composer's Cc starts with him (not with the shop's own address)
    assert participants.remembered_cc(conversation) == ["mehmet@example.com"]
    pane = hx(olivia, "get", url("conversation", conversation)).content.decode()
    assert 'value="mehmet@example.com"' in pane
    # when olivia adds the warehouse in her reply
    _send(olivia, conversation, django_capture_on_commit_callbacks, {
        "text": "On it.", "cc": "mehmet@example.com, warehouse@harbor.test", "bcc": ""})
    assert participants.remembered_cc(conversation) == [
        "mehmet@example.com", "warehouse@harbor.test"]
    # and Ayşe answers copying her sister too (and our own plus-address, which never counts)
    first_id = smtp.messages[0].message["Message-ID"]
    ingest(personas.harbor_email, _mail(
        2, cc="Elif <elif@example.com>, support+sd-1-x@harbor.test", reply_to_id=first_id),
        source="test")
    assert participants.remembered_cc(conversation) == [
        "mehmet@example.com", "warehouse@harbor.test", "elif@example.com"]
    # when Ahmet replies through the API (no Cc field), the copied people still get it
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(conversation, Actor.agent(personas.ahmet), "The new vase left today.")
    assert sorted(smtp.messages[-1].rcpt_tos) == [
        "ayse@example.com", "elif@example.com", "mehmet@example.com", "warehouse@harbor.test"]
    # when olivia removes the warehouse from the field, it stays removed
    _send(olivia, conversation, django_capture_on_commit_callbacks, {
        "text": "Done.", "cc": "mehmet@example.com, elif@example.com"})
    assert participants.remembered_cc(conversation) == ["mehmet@example.com", "elif@example.com"]
    assert smtp.messages[-1].message["Cc"] == "mehmet@example.com, elif@example.com"
    # and the assistant's automatic mail goes to the shopper only
    from storedesk.accounts.actor import BOT

    with django_capture_on_commit_callbacks(execute=True):
        send_reply(conversation, BOT, "Your return label is attached.")
    assert smtp.messages[-1].rcpt_tos == ["ayse@example.com"]


def test_one_signature_the_agents_over_the_inbox_footer(
        personas, smtp, django_capture_on_commit_callbacks):
    # given the email inbox has a footer and Ahmet a signature of his own
    _configure(personas.harbor_email, signature="Harbor & Vine support")
    conversation = _conversation(personas)
    set_signature(personas.harbor.pk, "Ahmet\nReturns desk", membership=personas.ahmet)
    ahmet, olivia = client_for(personas.ahmet), client_for(personas.olivia)
    # then Ahmet's composer (in Turkish) shows his own as the one his reply gets
    pane = hx(ahmet, "get", url("conversation", conversation)).content.decode()
    with translation.override("tr"):
        assert "Returns desk" in pane and str(SignatureSource.AGENT.label) in pane
    assert "Harbor &amp; Vine support" not in pane
    # when he sends with it, the mail carries his signature and not the footer
    _send(ahmet, conversation, django_capture_on_commit_callbacks,
          {"text": "A new vase is on its way.", "signature": "on"})
    plain = smtp.messages[-1].message.get_body(preferencelist=("plain",)).get_content()
    html = smtp.messages[-1].message.get_body(preferencelist=("html",)).get_content()
    assert plain.count("Returns desk") == 1 and "Harbor & Vine support" not in plain
    assert "Returns desk" in html and "Harbor &amp; Vine support" not in html
    # olivia has none: her composer shows the inbox's email footer, and that is what goes out
    pane = hx(olivia, "get", url("conversation", conversation)).content.decode()
    assert "Harbor &amp; Vine support" in pane and "The inbox&#x27;s email footer" in pane
    preview = hx(olivia, "post", url("composer_preview", conversation, "reply"),
                 {"text": "Hi", "signature": "on"}).content.decode()
    assert "Harbor &amp; Vine support" in preview
    _send(olivia, conversation, django_capture_on_commit_callbacks,
          {"text": "Tracking: 123.", "signature": "on"})
    plain = smtp.messages[-1].message.get_body(preferencelist=("plain",)).get_content()
    assert plain.count("Harbor & Vine support") == 1
    # unticked: no signature at all (what the preview showed)
    _send(olivia, conversation, django_capture_on_commit_callbacks, {"text": "Bye."})
    plain = smtp.messages[-1].message.get_body(preferencelist=("plain",)).get_content()
    assert "Harbor & Vine support" not in plain
    # a reply that did not come from the composer (API, rules) still gets the footer, once
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(conversation, Actor.agent(personas.ahmet), "Sent from the API.")
    plain = smtp.messages[-1].message.get_body(preferencelist=("plain",)).get_content()
    assert plain.count("Harbor & Vine support") == 1 and "Returns desk" not in plain


def test_inline_cid_images_show_from_the_stored_attachment(personas):
    # given Ayşe's mail shows a photo inline in its HTML (multipart/related, cid:)
    conversation = _conversation(
        personas, html='<p>See:</p><img src="cid:photo-1@mail.example.com" alt="broken vase">'
                       '<img src="cid:unknown@x" alt="missing">',
        image_cid="photo-1@mail.example.com")
    message = Message.objects.get(conversation=conversation)
    photo = Attachment.objects.get(message=message)
    assert message.metadata["email"]["cids"] == {"photo-1@mail.example.com": 0}
    # when an agent opens the conversation
    olivia = client_for(personas.olivia)
    thread = hx(olivia, "get", url("thread", conversation)).content.decode()
    # then the formatted view's image points at the stored copy, through a signed image URL,
    # and a reference to nothing we have points nowhere
    srcdoc = thread.split('srcdoc="')[1].split('"></iframe>')[0]
    assert "cid:" not in srcdoc
    assert f"/attachments/{photo.pk}/image/" in srcdoc
    assert 'sandbox=""' in thread
    image_url = srcdoc.split(f"/attachments/{photo.pk}/image/")[1].split("&quot;")[0]
    from django.test import Client

    served = Client().get(f"/attachments/{photo.pk}/image/{image_url}")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    # and the photo is in the attachments as a thumbnail too
    assert 'alt="photo.png"' in thread
    # another account's agent cannot open the conversation at all
    assert hx(client_for(personas.bruno), "get", url("thread", conversation)).status_code == 404
