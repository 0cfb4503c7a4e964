"""Chat-widget replies are pushed through the real channel layer to the visitor's group."""

from __future__ import annotations

import asyncio
import hashlib

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, receive_message, send_reply
from storedesk.inbox.models import Delivery, Inbox
from storedesk.testing.personas import Personas

WAIT_SECONDS = 10  # liveness guard for the layer, not a timing assertion


async def _listen(group: str):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def _next(channel: str):
    return await asyncio.wait_for(get_channel_layer().receive(channel), WAIT_SECONDS)


def test_reply_reaches_the_visitors_widget_group(
    personas: Personas, django_capture_on_commit_callbacks
):
    # given a visitor chatting on the website, with their widget listening on its group
    from storedesk.connectors.webchat.transport import visitor_group

    visitor = "visitor-7f3a9c"
    conversation = receive_message(
        personas.harbor_chat, InboundMessage(sender_id=visitor, text="Do you ship to Bali?")
    ).conversation
    group = visitor_group(personas.harbor_chat.pk, visitor)
    assert group == (
        f"webchat-{personas.harbor_chat.pk}-{hashlib.sha256(visitor.encode()).hexdigest()[:16]}"
    )
    widget = async_to_sync(_listen)(group)
    # when Ahmet answers
    with django_capture_on_commit_callbacks(execute=True):
        message = send_reply(conversation, Actor.agent(personas.ahmet), "Yes, in 3-5 days!")
    # then the widget gets the message, and the delivery is sent
    event = async_to_sync(_next)(widget)
    assert event["type"] == "webchat.message"
    assert event["message"]["id"] == message.pk
    assert event["message"]["text"] == "Yes, in 3-5 days!"
    assert event["message"]["sender_type"] == "agent"
    assert event["message"]["sender_name"] == personas.ahmet.agent.display_name
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    assert Delivery.objects.get(message=message).status == "sent"


def test_another_visitors_group_hears_nothing(
    personas: Personas, django_capture_on_commit_callbacks
):
    # given two visitors on the same widget
    from storedesk.connectors.webchat.transport import visitor_group

    first = receive_message(
        personas.harbor_chat, InboundMessage(sender_id="visitor-a", text="Hi")
    ).conversation
    receive_message(personas.harbor_chat, InboundMessage(sender_id="visitor-b", text="Hello"))
    other = async_to_sync(_listen)(visitor_group(personas.harbor_chat.pk, "visitor-b"))
    mine = async_to_sync(_listen)(visitor_group(personas.harbor_chat.pk, "visitor-a"))
    # when Ahmet answers visitor A
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(first, Actor.agent(personas.ahmet), "For you, A")
    # then only A's group receives it (B's next message is the one sent to B later)
    assert async_to_sync(_next)(mine)["message"]["text"] == "For you, A"
    second = receive_message(
        personas.harbor_chat, InboundMessage(sender_id="visitor-b", text="Still there?")
    ).conversation
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(second, Actor.agent(personas.ahmet), "For you, B")
    assert async_to_sync(_next)(other)["message"]["text"] == "For you, B"


def test_a_channel_without_a_transport_fails_with_a_clear_message(
    personas: Personas, django_capture_on_commit_callbacks
):
    # given a WhatsApp inbox (no transport yet)
    whatsapp = Inbox.objects.create(
        account=personas.harbor, name="WhatsApp", channel="whatsapp"
    )
    conversation = receive_message(
        whatsapp, InboundMessage(sender_id="+905551112233", text="Merhaba")
    ).conversation
    with django_capture_on_commit_callbacks(execute=True):
        message = send_reply(conversation, Actor.agent(personas.ahmet), "Merhaba!")
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "No transport is available for the whatsapp channel" in message.delivery_error


def test_a_disabled_inbox_does_not_send(personas: Personas, django_capture_on_commit_callbacks):
    conversation = receive_message(
        personas.harbor_chat, InboundMessage(sender_id="visitor-z", text="Hi")
    ).conversation
    Inbox.objects.filter(pk=personas.harbor_chat.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        message = send_reply(conversation, Actor.agent(personas.ahmet), "Hello")
    message.refresh_from_db()
    assert message.delivery_status == "failed"
    assert "disabled" in message.delivery_error
