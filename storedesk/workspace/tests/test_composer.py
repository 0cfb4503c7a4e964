"""The composer through its views: separate reply and note forms, drafts kept on the server,
undo-send, macros with a missing variable, send-and-resolve."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError
from storedesk.inbox.actions import cancel_reply, send_reply
from storedesk.inbox.delivery import deliver
from storedesk.inbox.models import Delivery, Message, Status
from storedesk.workspace.models import Draft
from storedesk.workspace.tests.test_views_conversation import client_for, hx, shopper_writes, url


@pytest.fixture
def conversation(personas):
    return shopper_writes(personas).conversation


def draft_url(conversation, mode):
    return url("draft", conversation, mode)


def test_drafts_are_kept_per_agent_conversation_and_mode(personas, conversation):
    olivia, ahmet = client_for(personas.olivia), client_for(personas.ahmet)
    # when olivia types a reply and a note, and ahmet a reply of his own
    assert hx(olivia, "post", draft_url(conversation, "reply"),
              {"text": "Your parcel left"}).status_code == 204
    hx(olivia, "post", draft_url(conversation, "note"), {"text": "@ahmet check stock"})
    hx(ahmet, "post", draft_url(conversation, "reply"), {"text": "Ahmet's words"})
    # then opening the conversation again (a reload, another device) brings each back, apart
    pane = hx(olivia, "get", url("conversation", conversation)).content.decode()
    reply_box = pane.split('id="composer-text"')[1].split("</textarea>")[0]
    note_box = pane.split('id="note-text"')[1].split("</textarea>")[0]
    assert "Your parcel left" in reply_box and "check stock" not in reply_box
    assert "@ahmet check stock" in note_box and "Your parcel left" not in note_box
    assert "Ahmet&#x27;s words" not in pane
    # when she sends the reply, its draft is gone and the note's stays
    hx(olivia, "post", url("reply", conversation), {"text": "Your parcel left"})
    modes = set(Draft.objects.filter(membership=personas.olivia).values_list("mode", flat=True))
    assert modes == {"note"}
    # and emptying the note box removes that draft too
    hx(olivia, "post", draft_url(conversation, "note"), {"text": "  "})
    assert not Draft.objects.filter(membership=personas.olivia).exists()


def test_drafts_obey_tenancy_and_modes(personas, conversation):
    bruno = client_for(personas.bruno)
    assert hx(bruno, "post", draft_url(conversation, "reply"), {"text": "x"}).status_code == 404
    olivia = client_for(personas.olivia)
    assert hx(olivia, "post", url("conversation", conversation) + "draft/email/",
              {"text": "x"}).status_code == 404
    assert hx(olivia, "get", draft_url(conversation, "reply")).status_code == 405
    assert not Draft.objects.exists()


def test_a_macro_with_a_missing_variable_is_marked_and_cannot_be_sent(personas, conversation):
    from storedesk.workflow.actions import create_macro

    # given a macro with an order number no conversation has a value for
    macro = create_macro(personas.harbor, name="Shipped",
                         text="Hi {{contact.first_name}}, order {{order.number}} is on its way.")
    olivia = client_for(personas.olivia)
    # when olivia picks it
    preview = hx(olivia, "get", url("macro_preview", conversation) + f"?macro={macro.pk}")
    # then the gap stays visible as the variable, not as "order  is on its way"
    assert "Hi Ayşe, order {{order.number}} is on its way." in preview.content.decode()
    # and sending it as is is refused, with nothing stored or delivered
    refused = hx(olivia, "post", url("reply", conversation), {
        "text": "Hi Ayşe, order {{order.number}} is on its way.", "macro_id": macro.pk})
    assert refused.status_code == 400
    assert "Fill in or remove {{order.number}} before sending." in refused.content.decode()
    assert not Message.objects.filter(conversation=conversation, direction="outgoing").exists()
    # when she fills it in, it goes
    sent = hx(olivia, "post", url("reply", conversation), {
        "text": "Hi Ayşe, order 4412 is on its way.", "macro_id": macro.pk})
    assert sent.status_code == 200
    assert Delivery.objects.filter(message__conversation=conversation).count() == 1


def test_send_and_resolve_replies_and_resolves_in_one_step(personas, conversation):
    olivia = client_for(personas.olivia)
    response = hx(olivia, "post", url("reply", conversation),
                  {"text": "Refund issued.", "then": "resolve"})
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    assert "storedesk:resolved" in response["HX-Trigger"]
    # the header comes along out-of-band, already showing Resolved
    assert 'id="conversation-header" class="conv-header" hx-swap-oob="true"' in (
        response.content.decode())


def test_undo_send_takes_the_reply_back_before_its_delivery(personas, conversation, settings):
    settings.UNDO_SEND_SECONDS = 30
    olivia = client_for(personas.olivia)
    # when olivia sends a reply
    hx(olivia, "post", url("reply", conversation), {"text": "Wrong customer, sorry"})
    reply = Message.objects.get(conversation=conversation, direction="outgoing")
    delivery = Delivery.objects.get(message=reply)
    # then its delivery waits, and a worker that comes early does not send it
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert deliver(delivery.pk) == "skipped"
    thread = hx(olivia, "get", url("thread", conversation)).content.decode()
    assert url("cancel_send", conversation, reply.pk) in thread
    # and ahmet sees no undo button on olivia's reply
    assert url("cancel_send", conversation, reply.pk) not in hx(
        client_for(personas.ahmet), "get", url("thread", conversation)).content.decode()
    # when she presses Undo
    response = hx(olivia, "post", url("cancel_send", conversation, reply.pk))
    # then the reply and its delivery are gone, and her text is back in the reply box
    assert response.status_code == 200
    assert not Message.objects.filter(pk=reply.pk).exists()
    assert not Delivery.objects.filter(pk=delivery.pk).exists()
    assert "Wrong customer, sorry</textarea>" in response.content.decode()
    assert Draft.objects.get(membership=personas.olivia, mode="reply").text == (
        "Wrong customer, sorry")


def test_undo_is_refused_once_the_delivery_started(personas, conversation):
    olivia = Actor.agent(personas.olivia)
    message = send_reply(conversation, olivia, "Already going", send_after=timedelta(seconds=30))
    # a worker claimed it (the wait is over for it)
    Delivery.objects.filter(message=message).update(next_attempt_at=timezone.now())
    assert deliver(Delivery.objects.get(message=message).pk) in {"sent", "failed", "retry"}
    with pytest.raises(ActionError, match="Too late"):
        cancel_reply(message, olivia)
    assert Message.objects.filter(pk=message.pk).exists()
    # and nobody but its author can take a reply back
    other = send_reply(conversation, olivia, "Held", send_after=timedelta(seconds=30))
    with pytest.raises(ActionError, match="Only the agent who wrote"):
        cancel_reply(other, Actor.agent(personas.ahmet))
    response = hx(client_for(personas.bruno), "post", url("cancel_send", conversation, other.pk))
    assert response.status_code == 404
    assert Delivery.objects.filter(message=other).exists()
