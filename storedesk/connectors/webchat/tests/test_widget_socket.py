"""`ws/widget/`: the visitor's socket through the real ASGI application and channel layer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

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
    assert await ok.receive_json_from(timeout=WAIT) == {
        "type": "ready", "messages": [], "seen": None}


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
    assert await widget.receive_json_from(timeout=WAIT) == {
        "type": "receipted", "id": answer.pk, "status": "read", "ok": True}
    status = await database_sync_to_async(
        lambda: Message.objects.get(pk=answer.pk).delivery_status)()
    assert status == "read"


@contextmanager
def queue_held() -> Iterator[None]:
    """Tasks enqueued meanwhile wait in a queue nobody consumes (the test runs the steps)."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    HUEY.immediate = False
    HUEY.storage = MemoryStorage(f"{HUEY.name}-held")
    try:
        yield
    finally:
        HUEY.immediate = True


@database_sync_to_async
def claim_and_push(message: Message) -> tuple[Any, datetime, Any]:
    """The outbox's attempt at the reply (claim, push to the widget), not yet settled."""
    from storedesk.inbox.models import Delivery
    from storedesk.outbox import engine
    from storedesk.outbox.handlers import handler_for

    handler = handler_for("message")
    row = handler.load(Delivery.objects.get(message=message).pk)
    lease = engine.claim(handler.model, row.pk)
    assert lease is not None
    return handler, lease, handler.attempt(row)


@database_sync_to_async
def settle(message: Message, handler: Any, lease: datetime, outcome: Any) -> str:
    from django.db import transaction

    from storedesk.inbox.models import Delivery
    from storedesk.outbox import engine

    delivery_id = Delivery.objects.get(message=message).pk
    with transaction.atomic():
        settled = engine.settle(handler.model, delivery_id, lease, outcome)
        handler.record(settled.row, outcome)
    return Message.objects.get(pk=message.pk).delivery_status


async def test_a_read_receipt_that_comes_before_the_delivery_settles_is_kept(
    personas, chat, widgets
):
    """The transport pushes the reply before the outbox commits `sent`; under load the widget
    draws it and answers `read` while the row still says `pending`. That receipt used to be
    dropped (the widget looked the reply up among visible, i.e. settled, messages) and the
    reply stayed `sent` forever (the browser test's intermittent failure on PostgreSQL)."""
    token = await session(chat)
    widget = await widgets(chat, token)
    await widget.receive_json_from(timeout=WAIT)
    await widget.send_json_to({"type": "message", "client_id": "c-race0001", "text": "Hi"})
    mine = (await widget.receive_json_from(timeout=WAIT))["message"]
    await widget.receive_json_from(timeout=WAIT)  # echo
    with queue_held():
        answer = await reply(mine["conversation_id"], personas.ahmet, "Hello!")
    assert answer.delivery_status == "pending"
    handler, lease, outcome = await claim_and_push(answer)
    pushed = await widget.receive_json_from(timeout=WAIT)
    assert pushed["message"]["id"] == answer.pk
    # the widget says "read" before the outbox has settled the attempt
    await widget.send_json_to({"type": "receipt", "id": answer.pk, "status": "read"})
    assert await widget.receive_json_from(timeout=WAIT) == {
        "type": "receipted", "id": answer.pk, "status": "read", "ok": True}
    # and the settle that commits afterwards keeps it
    assert await settle(answer, handler, lease, outcome) == "read"


async def test_a_receipt_for_a_message_that_is_not_the_visitors_is_answered_not_applied(
    personas, chat, widgets
):
    from storedesk.inbox.actions import InboundMessage, receive_message

    other = await database_sync_to_async(receive_message)(
        chat, InboundMessage(sender_id="someone-else", text="Hello?"))
    theirs = await reply(other.conversation.pk, personas.ahmet, "Not for you")
    token = await session(chat)
    widget = await widgets(chat, token)
    await widget.receive_json_from(timeout=WAIT)
    await widget.send_json_to({"type": "receipt", "id": theirs.pk, "status": "read"})
    # answered (the widget forgets it, no endless retries) but not applied
    assert await widget.receive_json_from(timeout=WAIT) == {
        "type": "receipted", "id": theirs.pk, "status": "read", "ok": False}
    status = await database_sync_to_async(
        lambda: Message.objects.get(pk=theirs.pk).delivery_status)()
    assert status == "sent"


@database_sync_to_async
def agent_opens(conversation_id: int, membership) -> None:
    from storedesk.inbox.actions import mark_read
    from storedesk.inbox.models import Conversation

    mark_read(Conversation.objects.get(pk=conversation_id), Actor.agent(membership))


async def test_the_visitor_sees_that_an_agent_read_their_message(personas, chat, widgets):
    token = await session(chat)
    widget = await widgets(chat, token)
    await widget.receive_json_from(timeout=WAIT)
    await widget.send_json_to({"type": "message", "client_id": "c-seen0001", "text": "Hi"})
    first = (await widget.receive_json_from(timeout=WAIT))["message"]
    await widget.receive_json_from(timeout=WAIT)  # echo
    # when Ahmet opens the conversation, the widget learns which message he has seen
    await agent_opens(first["conversation_id"], personas.ahmet)
    assert await widget.receive_json_from(timeout=WAIT) == {"type": "seen", "id": first["id"]}
    # a newer message is not seen until an agent reads again
    await widget.send_json_to({"type": "message", "client_id": "c-seen0002", "text": "Hello?"})
    second = (await widget.receive_json_from(timeout=WAIT))["message"]
    await widget.receive_json_from(timeout=WAIT)  # echo
    again = await widgets(chat, token)
    assert (await again.receive_json_from(timeout=WAIT))["seen"] == first["id"]
    await agent_opens(first["conversation_id"], personas.olivia)
    assert await widget.receive_json_from(timeout=WAIT) == {"type": "seen", "id": second["id"]}
    assert await again.receive_json_from(timeout=WAIT) == {"type": "seen", "id": second["id"]}


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
