"""Richer messages through the composer's views: Markdown rendered to sanitised HTML with a
plain version, a preview showing the one signature, image attachments as thumbnails served
inline only to agents who may see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from storedesk.accounts.models import Membership
from storedesk.connectors.webchat.transport import widget_message
from storedesk.inbox.models import Attachment, Message
from storedesk.workspace import images
from storedesk.workspace.actions import set_signature
from storedesk.workspace.models import Draft
from storedesk.workspace.tests.test_views_conversation import client_for, hx, shopper_writes, url

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def conversation(personas):
    return shopper_writes(personas).conversation


def test_a_reply_in_markdown_is_stored_as_sanitised_html_and_plain_text(personas, conversation):
    olivia = client_for(personas.olivia)
    # when olivia writes with the toolbar's markers (and someone's pasted script)
    sent = hx(olivia, "post", url("reply", conversation), {
        "text": "Hi **Ayşe**, your order is *on its way*: [track it](https://track.test/1)\n\n"
                "- the vase\n- the lamp\n\n<script>alert(1)</script>"})
    assert sent.status_code == 200
    reply = Message.objects.get(conversation=conversation, direction="outgoing")
    # then channels that show HTML get the formatting, sanitised
    assert "<strong>Ayşe</strong>" in reply.html and "<em>on its way</em>" in reply.html
    assert '<a href="https://track.test/1"' in reply.html and "<li>the vase</li>" in reply.html
    assert "<script>" not in reply.html and "&lt;script&gt;" in reply.html
    # and the text is the plain version (search, text-only channels)
    assert reply.text.startswith(
        "Hi Ayşe, your order is on its way: track it (https://track.test/1)\n\n- the vase")
    assert "**" not in reply.text
    # and the thread shows the formatted reply
    thread = hx(olivia, "get", url("thread", conversation)).content.decode()
    assert "<strong>Ayşe</strong>" in thread


def test_a_text_only_channel_gets_the_plain_version(personas):
    # given a shopper in the chat widget (which shows text, never HTML)
    chat = shopper_writes(personas, inbox=personas.harbor_chat, sender="visitor-1").conversation
    hx(client_for(personas.ahmet), "post", url("reply", chat), {"text": "It is **in stock**."})
    reply = Message.objects.get(conversation=chat, direction="outgoing")
    # then what the widget receives is the plain text
    payload = widget_message(reply)
    assert payload["text"] == "It is in stock."
    assert "html" not in payload


def test_notes_take_markdown_too_and_undo_send_gives_the_markdown_back(
        personas, conversation, settings):
    olivia = client_for(personas.olivia)
    hx(olivia, "post", url("note", conversation), {"text": "@ahmet check **stock**"})
    note = Message.objects.get(conversation=conversation, private=True)
    assert note.text == "@ahmet check stock" and "<strong>stock</strong>" in note.html
    assert note.metadata["mentions"] == [personas.ahmet.pk]
    # when a formatted reply is taken back, the box gets the Markdown as typed
    settings.UNDO_SEND_SECONDS = 30
    hx(olivia, "post", url("reply", conversation), {"text": "Sorry, *wrong* customer"})
    reply = Message.objects.get(conversation=conversation, direction="outgoing", private=False)
    taken = hx(olivia, "post", url("cancel_send", conversation, reply.pk)).content.decode()
    assert "Sorry, *wrong* customer</textarea>" in taken
    assert Draft.objects.get(membership=personas.olivia, mode="reply").text == (
        "Sorry, *wrong* customer")


def test_the_preview_shows_the_html_and_the_one_signature(personas, conversation):
    set_signature(personas.harbor.pk, "Olivia\nHarbor & Vine", membership=personas.olivia)
    olivia = client_for(personas.olivia)
    preview = url("composer_preview", conversation, "reply")
    # when she previews with her signature ticked
    shown = hx(olivia, "post", preview, {"text": "**Hello**", "signature": "on"}).content.decode()
    # then it is what will be stored: the formatting, and her signature below it, escaped
    assert "<strong>Hello</strong>" in shown and "Olivia<br>" in shown
    assert "Harbor &amp; Vine" in shown
    # unticked, no signature; a note never has one
    assert "Olivia" not in hx(olivia, "post", preview, {"text": "**Hello**"}).content.decode()
    note = hx(olivia, "post", url("composer_preview", conversation, "note"),
              {"text": "x", "signature": "on"}).content.decode()
    assert "Olivia" not in note
    # and the pane names where the signature comes from
    pane = hx(olivia, "get", url("conversation", conversation)).content.decode()
    assert "Your signature" in pane and 'data-format="bold"' in pane
    # nothing was saved or sent; another account's agent gets a 404; GET is not allowed
    assert not Message.objects.filter(conversation=conversation, direction="outgoing").exists()
    assert hx(client_for(personas.bruno), "post", preview, {"text": "x"}).status_code == 404
    assert hx(olivia, "get", preview).status_code == 405


def _reply_with_files(personas, conversation, files):
    olivia = client_for(personas.olivia)
    response = olivia.post(url("reply", conversation), {"text": "Photos", "attachments": files},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    return Message.objects.get(conversation=conversation, direction="outgoing")


def _upload(name, content, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_image_attachments_show_as_thumbnails_served_inline(personas, conversation):
    # given a reply with a photo and a PDF
    reply = _reply_with_files(personas, conversation, [
        _upload("vase.png", PNG, "image/png"),
        _upload("invoice.pdf", b"%PDF-1.4", "application/pdf")])
    photo = Attachment.objects.get(message=reply, filename="vase.png")
    olivia = client_for(personas.olivia)
    # then the thread shows the photo as a thumbnail opening the image, and both as downloads
    thread = hx(olivia, "get", url("thread", conversation)).content.decode()
    image_path = reverse("inbox:attachment_image", args=[photo.pk, "TOKEN"]).split("TOKEN")[0]
    assert thread.count(image_path) == 2  # the link and the <img>
    assert 'data-image-viewer' in thread and 'alt="vase.png"' in thread
    assert reverse("inbox:attachment", args=[photo.pk]) in thread
    assert "invoice.pdf" in thread and thread.count("/image/") == 2
    # and the image URL serves the picture inline, as what it is
    src = thread.split('<img src="')[1].split('"')[0]
    response = olivia.get(src)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    # also without a session (the sandboxed email view sends no cookie): the URL names the agent
    from django.test import Client

    assert Client().get(src).status_code == 200


def test_image_urls_are_bound_to_the_agent_the_image_and_its_access(personas, conversation):
    reply = _reply_with_files(personas, conversation, [
        _upload("a.png", PNG, "image/png"), _upload("b.png", PNG, "image/png"),
        _upload("fake.png", b"<html><script>alert(1)</script>", "image/png"),
        _upload("notes.txt", b"hello", "text/plain")])
    a, b, fake, notes = (Attachment.objects.get(message=reply, filename=n)
                         for n in ("a.png", "b.png", "fake.png", "notes.txt"))
    from django.test import Client

    anonymous = Client()
    olivia_a = reverse("inbox:attachment_image",
                       args=[a.pk, images.image_token(personas.olivia, a.pk)])
    assert anonymous.get(olivia_a).status_code == 200
    # a token for one image does not open another, a changed token opens nothing
    token_a = images.image_token(personas.olivia, a.pk)
    assert anonymous.get(reverse("inbox:attachment_image", args=[b.pk, token_a])).status_code == 404
    assert anonymous.get(olivia_a.replace(token_a, token_a[:-2] + "xx")).status_code == 404
    # a file that only claims to be an image, and a text file, are never served inline
    for other in (fake, notes):
        token = images.image_token(personas.olivia, other.pk)
        assert anonymous.get(reverse("inbox:attachment_image", args=[other.pk, token])
                             ).status_code == 404
    # another account's agent gets nothing, even with a token made for them
    bruno = images.image_token(personas.bruno, a.pk)
    assert anonymous.get(reverse("inbox:attachment_image", args=[a.pk, bruno])).status_code == 404
    # and an agent who left the account loses access at once
    Membership.objects.filter(pk=personas.olivia.pk).update(is_active=False)
    assert anonymous.get(olivia_a).status_code == 404
    assert anonymous.post(olivia_a).status_code in (403, 405)
