from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings

from storedesk.accounts.actor import Actor
from storedesk.contacts.actions import merge_contacts
from storedesk.contacts.models import Contact
from storedesk.core.errors import ActionError
from storedesk.events.models import Event
from storedesk.inbox.actions import (
    InboundMessage,
    add_note,
    assign,
    receive_message,
    send_reply,
    set_priority,
    tag,
    untag,
)
from storedesk.inbox.models import Delivery, Message
from storedesk.inbox.storage import IncomingFile, attachment_path


def _conversation(personas, sender="ayse", inbox=None, **kw):
    inbox = inbox or personas.harbor_email
    return receive_message(inbox, InboundMessage(sender_id=sender, text="Merhaba", **kw))


def test_reply_is_written_pending_with_one_delivery_row_before_any_send(personas):
    received = _conversation(personas, email="ayse@example.com")
    # when an agent replies (on_commit does not fire inside this test transaction)
    reply = send_reply(received.conversation, Actor.agent(personas.ahmet), "Kargonuz yolda.")
    # then the outgoing row exists as pending with exactly one queued delivery
    assert (reply.direction, reply.sender_type, reply.delivery_status) == (
        "outgoing", "agent", "pending")
    assert Delivery.objects.filter(message=reply, status="queued").count() == 1
    conversation = received.conversation
    conversation.refresh_from_db()
    assert conversation.first_reply_at is not None and conversation.waiting_since is None
    assert conversation.message_count == 2


def test_note_is_private_and_resolves_mentions_within_the_account_only(personas):
    received = _conversation(personas)
    note = add_note(received.conversation, Actor.agent(personas.olivia),
                    "@ahmet can you check the parcel? cc @bruno")
    assert note.private is True
    assert note.metadata["mentions"] == [personas.ahmet.pk]  # bruno is in another account
    assert not Delivery.objects.filter(message=note).exists()


def test_assign_refuses_agents_and_teams_of_another_account(personas):
    received = _conversation(personas)
    olivia = Actor.agent(personas.olivia)
    with pytest.raises(ActionError):
        assign(received.conversation, olivia, assignee=personas.bruno)
    conversation = assign(received.conversation, olivia, assignee=personas.ahmet,
                          team=personas.returns, set_team=True)
    assert (conversation.assignee_id, conversation.team_id) == (personas.ahmet.pk,
                                                                 personas.returns.pk)
    event = Event.objects.get(conversation=conversation, kind="conversation.assigned")
    assert event.data["new_assignee"] == personas.ahmet.pk


def test_priority_and_tags_are_recorded_and_idempotent(personas):
    received = _conversation(personas)
    actor = Actor.agent(personas.ahmet)
    set_priority(received.conversation, actor, "urgent")
    tag(received.conversation, actor, "Refund")
    tag(received.conversation, actor, "refund")
    untag(received.conversation, actor, "refund")
    untag(received.conversation, actor, "refund")
    kinds = list(Event.objects.filter(conversation=received.conversation)
                 .exclude(kind__in=["conversation.opened", "message.received"])
                 .values_list("kind", flat=True).order_by("pk"))
    assert kinds == [
        "conversation.priority_changed", "conversation.tagged", "conversation.untagged"
    ]
    received.conversation.refresh_from_db()
    assert received.conversation.priority_rank == 3
    with pytest.raises(ActionError):
        set_priority(received.conversation, actor, "whenever")


def test_attachments_get_server_keys_and_active_types_are_neutralised(personas):
    evil = IncomingFile(filename="../../etc/passwd.svg", content=b"<svg onload=alert(1)>",
                        content_type="image/svg+xml")
    received = receive_message(personas.harbor_email, InboundMessage(
        sender_id="s", text="photo", attachments=[evil]))
    attachment = received.message.attachments.get()
    assert attachment.filename == "passwd.svg"
    assert attachment.content_type == "application/octet-stream"
    assert attachment.storage_key.isalnum() and "passwd" not in attachment.storage_key
    assert attachment_path(attachment.storage_key).read_bytes() == evil.content
    assert attachment.sha256 == hashlib.sha256(evil.content).hexdigest()


@override_settings(ATTACHMENT_MAX_BYTES=10)
def test_an_oversized_attachment_is_refused_and_nothing_is_stored(personas):
    with pytest.raises(ActionError, match="10 bytes limit per file"):
        receive_message(personas.harbor_email, InboundMessage(
            sender_id="s", text="big", attachments=[IncomingFile("a.bin", b"x" * 11)]))
    assert not Message.objects.exists()


def test_html_is_sanitised_before_it_is_stored(personas):
    received = receive_message(personas.harbor_email, InboundMessage(
        sender_id="s", text="hi",
        html='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">l</a></p>'))
    html = received.message.html
    assert "script" not in html and "onclick" not in html and "javascript:" not in html
    assert html.startswith("<p>Hi")


def test_merge_moves_identities_and_conversations(personas):
    a = _conversation(personas, sender="ayse@example.com", email="ayse@example.com")
    b = _conversation(personas, sender="chat-visitor-9", inbox=personas.harbor_chat, name="Ayşe")
    primary, duplicate = a.conversation.contact, b.conversation.contact
    assert primary.pk != duplicate.pk
    merged = merge_contacts(primary, duplicate, Actor.agent(personas.olivia))
    assert merged.identities.count() == 2
    assert merged.conversations.count() == 2
    assert merged.name == "Ayşe"
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == primary.pk
    with pytest.raises(ActionError):
        merge_contacts(primary, duplicate, Actor.agent(personas.olivia))


def test_a_known_email_joins_the_same_contact_across_channels(personas):
    a = _conversation(personas, sender="jan@example.pl", email="Jan@Example.pl")
    b = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-1", text="Dzień dobry", email="jan@example.pl"))
    assert a.conversation.contact_id == b.conversation.contact_id
    assert Contact.objects.filter(account=personas.harbor).count() == 1
