"""A contact merge: contacts retire the duplicate, the inbox moves its conversations, and the
timeline says so, each move caused by the `contact.merged` event."""

from __future__ import annotations

from storedesk.accounts.actor import Actor
from storedesk.contacts.actions import merge_contacts
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message


def test_a_merge_moves_conversations_and_messages_through_the_inbox(personas):
    # given Jan by email (two messages) and by chat
    by_mail = receive_message(personas.harbor_email, InboundMessage(
        sender_id="jan@example.pl", email="jan@example.pl", text="hello", source_id="e1"))
    receive_message(personas.harbor_email, InboundMessage(
        sender_id="jan@example.pl", text="again", source_id="e2"))
    by_chat = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-9", text="hi from chat", source_id="c1"))
    primary, duplicate = by_mail.conversation.contact, by_chat.conversation.contact
    # when Olivia merges the chat contact into the email one
    merge_contacts(primary, duplicate, Actor.agent(personas.olivia))
    # then the chat conversation and its message belong to Jan's email contact
    by_chat.conversation.refresh_from_db()
    assert by_chat.conversation.contact_id == primary.pk
    assert Message.objects.get(pk=by_chat.message.pk).sender_contact_id == primary.pk
    # and one contact.merged event (no conversation) caused the timeline row of the move
    merged = Event.objects.get(kind="contact.merged")
    assert merged.conversation_id is None and merged.actor_agent_id == personas.olivia.agent_id
    assert merged.data == {"contact_id": primary.pk, "merged_contact_id": duplicate.pk}
    [moved] = Event.objects.filter(kind="conversation.contact_changed")
    assert moved.conversation_id == by_chat.conversation.pk and moved.cause_id == merged.pk
    assert moved.data == {"old_contact": duplicate.pk, "new_contact": primary.pk}
