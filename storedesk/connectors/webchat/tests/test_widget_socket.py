"""`ws/widget/`: the visitor's socket through the real ASGI application and channel layer."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from storedesk.accounts.actor import Actor
from storedesk.connectors.webchat.tests.conftest import WAIT, start
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def session(inbox, **kwargs) -> str:
    return start(inbox, **kwargs).json()["token"]


@database_sync_to_async
def reply(conversation_id: int, membership, text: str) -> Message:
    from django.test import TestCase

    from storedesk.inbox.models import Conversation

    conversation = Conversation.objects.get(pk=conversation_id)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return send_reply(conversation, Actor.agent(membership), text)


async def closed_with(socket) -> int:
    output = await socket.receive_output(timeout=WAIT)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def test_a_socket_from_a_website_the_inbox_does_not_allow_is_refused(
    personas, chat, widgets
):
    token = await session(chat)
    assert await closed_with(await widgets(chat, token, origin="https://evil.test")) == 4403
    assert await closed_with(await widgets(chat, token, origin=None)) == 4403
    assert await closed_with(await widgets(chat, token, key=f"{chat.pk}.deadbeefdeadbeef")) == 4403
    # a bad token is told so (the widget starts a new session)
    assert await closed_with(await widgets(chat, "forged")) == 4401
    # the inbox's own website is accepted
    ok = await widgets(chat, token)
    assert await ok.receive_json_from(timeout=WAIT) == {"type": "ready", "messages": []}


async def test_the_visitor_writes_an_agent_answers_and_receipts_come_back(
    personas, chat, widgets
):
    token = await session(chat)
    widget = await widgets(chat, token)
    assert (await widget.receive_json_from(timeout=WAIT))["type"] == "ready"
    # when the visitor writes
    await widget.send_json_to({"type": "message", "client_id": "c-00000001",
                               "text": "<b>hi</b> & welcome"})
    ack = await widget.receive_json_from(timeout=WAIT)
    assert ack["type"] == "ack" and ack["client_id"] == "c-00000001"
    mine = ack["message"]
    assert mine["text"] == "<b>hi</b> & welcome" and mine["sender_type"] == "contact"
    assert "html" not in mine  # the widget gets text only
    echo = await widget.receive_json_from(timeout=WAIT)  # for the visitor's other tabs
    assert echo == {"type": "message", "message": mine}
    # when Ahmet answers, the reply arrives live and its receipts move its status
    answer = await reply(mine["conversation_id"], personas.ahmet, "Hello!")
    pushed = await widget.receive_json_from(timeout=WAIT)
    assert pushed["type"] == "message" and pushed["message"]["id"] == answer.pk
    assert pushed["message"]["sender_name"] == "Ahmet Yilmaz"
    await widget.send_json_to({"type": "receipt", "id": answer.pk, "status": "read"})
    await widget.send_json_to({"type": "ping"})
    assert (await widget.receive_json_from(timeout=WAIT))["type"] == "pong"  # receipt handled
    status = await database_sync_to_async(
        lambda: Message.objects.get(pk=answer.pk).delivery_status)()
    assert status == "read"


async def test_reconnecting_with_a_cursor_returns_only_what_was_missed(personas, chat, widgets):
    token = await session(chat)
    widget = await widgets(chat, token)
    await widget.receive_json_from(timeout=WAIT)
    await widget.send_json_to({"type": "message", "client_id": "c-00000002", "text": "Hi"})
    mine = (await widget.receive_json_from(timeout=WAIT))["message"]
    await widget.disconnect()
    # while the widget is away, two replies
    first = await reply(mine["conversation_id"], personas.ahmet, "one")
    second = await reply(mine["conversation_id"], personas.ahmet, "two")
    again = await widgets(chat, token, after=mine["id"])
    ready = await again.receive_json_from(timeout=WAIT)
    missed = [m["id"] for m in ready["messages"] if m["id"] > mine["id"]]
    assert missed == [first.pk, second.pk]


async def test_size_and_rate_limits(personas, chat, widgets):
    token = await session(chat)
    widget = await widgets(chat, token)
    await widget.receive_json_from(timeout=WAIT)
    await widget.send_json_to({"type": "message", "client_id": "c-toolong1", "text": "x" * 4001})
    error = await widget.receive_json_from(timeout=WAIT)
    assert error["type"] == "error" and error["code"] == "too_long"
    await widget.send_to(text_data="y" * 40000)
    assert (await widget.receive_json_from(timeout=WAIT))["code"] == "too_long"
    # 20 messages a minute per visitor; the 21st is refused and nothing is stored for it
    for n in range(20):
        await widget.send_json_to({"type": "message", "client_id": f"c-rate-{n:04d}", "text": "."})
        assert (await widget.receive_json_from(timeout=WAIT))["type"] == "ack"
        await widget.receive_json_from(timeout=WAIT)  # the echo
    await widget.send_json_to({"type": "message", "client_id": "c-rate-9999", "text": "."})
    refused = await widget.receive_json_from(timeout=WAIT)
    assert refused["type"] == "error" and refused["code"] == "slow_down"
    count = await database_sync_to_async(Message.objects.filter(inbox=chat).count)()
    assert count == 20


async def test_the_visitor_sees_the_agent_typing(personas, chat, widgets, sockets):
    token = await session(chat)
    widget = await widgets(chat, token)
    await widget.receive_json_from(timeout=WAIT)
    await widget.send_json_to({"type": "message", "client_id": "c-typing01", "text": "Hello?"})
    conversation_id = (await widget.receive_json_from(timeout=WAIT))["message"]["conversation_id"]
    await widget.receive_json_from(timeout=WAIT)  # echo
    ahmet = await sockets["open"](personas.ahmet)
    await ahmet.send_json_to({"type": "presence", "conversation_id": conversation_id,
                              "state": "typing"})
    assert await widget.receive_json_from(timeout=WAIT) == {
        "type": "typing", "typing": True, "name": "Ahmet Yilmaz"}
    # and the visitor typing reaches the agents of the account
    await widget.send_json_to({"type": "typing"})
    event = await ahmet.receive_json_from(timeout=WAIT)
    assert event["type"] == "visitor.typing" and event["conversation"]["id"] == conversation_id
