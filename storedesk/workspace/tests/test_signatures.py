"""Reply signatures: an agent's own, else the inbox's, appended when a reply is sent from the
workspace (unless unticked); agents edit their own, admins the inboxes'."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message
from storedesk.workspace.models import Signature

HX = {"HX-Request": "true"}


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def last_reply(conversation) -> str:
    return Message.objects.filter(conversation=conversation, direction="outgoing").latest("pk").text


def test_a_reply_is_signed_with_the_agents_signature_else_the_inboxs(personas):
    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse", text="Merhaba")).conversation
    olivia, ahmet = client_for(personas.olivia), client_for(personas.ahmet)
    page = reverse("inbox:signatures")
    # given Olivia's own signature and the API inbox's, set on the signatures page
    assert olivia.post(page, {"text": "Olivia · Harbor & Vine"}).status_code == 302
    assert olivia.post(page, {"text": "Harbor & Vine support",
                              "inbox": personas.harbor_api.pk}).status_code == 302
    reply = reverse("inbox:reply", args=[conversation.display_id])
    # the composer shows what will be added
    pane = olivia.get(reverse("inbox:conversation", args=[conversation.display_id]))
    assert "Olivia · Harbor &amp; Vine" in pane.content.decode()
    # when Olivia replies, her signature goes below the text
    olivia.post(reply, {"text": "On its way!", "signature": "on"}, headers=HX)
    assert last_reply(conversation) == "On its way!\n\nOlivia · Harbor & Vine"
    # when Ahmet (no signature of his own) replies, the inbox's is used
    ahmet.post(reply, {"text": "Tomorrow.", "signature": "on"}, headers=HX)
    assert last_reply(conversation) == "Tomorrow.\n\nHarbor & Vine support"
    # and unticked, none
    ahmet.post(reply, {"text": "Plain."}, headers=HX)
    assert last_reply(conversation) == "Plain."


def test_only_admins_set_inbox_signatures_and_only_their_accounts(personas):
    page = reverse("inbox:signatures")
    # an agent cannot set an inbox's signature
    assert client_for(personas.ahmet).post(
        page, {"text": "x", "inbox": personas.harbor_api.pk}).status_code == 404
    # nor can another account's admin
    assert client_for(personas.bruno).post(
        page, {"text": "x", "inbox": personas.harbor_api.pk}).status_code == 404
    assert not Signature.objects.filter(inbox=personas.harbor_api).exists()
    # and agents do not see the inbox forms
    assert "Inbox signatures" not in client_for(personas.ahmet).get(page).content.decode()


def test_a_signature_with_a_nul_is_refused_and_an_empty_one_removes_it(personas):
    olivia = client_for(personas.olivia)
    page = reverse("inbox:signatures")
    olivia.post(page, {"text": "Olivia"})
    olivia.post(page, {"text": "bad\x00"})
    assert Signature.objects.get(membership=personas.olivia).text == "Olivia"
    olivia.post(page, {"text": ""})
    assert not Signature.objects.filter(membership=personas.olivia).exists()
