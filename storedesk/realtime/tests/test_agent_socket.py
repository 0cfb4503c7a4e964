"""Agents receive their own account's events, filtered by what they may see."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from storedesk.accounts.actions import add_member, set_team_members
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Role
from storedesk.inbox.actions import (
    InboundMessage,
    add_note,
    assign,
    receive_message,
    receive_messages,
)
from storedesk.realtime import access
from storedesk.realtime.tests.conftest import WAIT, send_sentinel
from storedesk.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def shopper_writes(inbox, sender_id: str, text: str):
    return receive_message(inbox, InboundMessage(sender_id=sender_id, text=text))


@database_sync_to_async
def give_to_returns(personas, conversation):
    return assign(conversation, Actor.agent(personas.olivia), assignee=None,
                  team=personas.returns, set_team=True)


async def test_a_new_message_reaches_the_account_agents_and_no_one_else(personas, sockets):
    # given olivia (Harbor owner) and bruno (Northwind admin) are online
    olivia = await sockets["open"](personas.olivia)
    bruno = await sockets["open"](personas.bruno)
    # when a shopper writes to Harbor
    received = await shopper_writes(personas.harbor_api, "ayse", "Where is my order #1001?")
    # then olivia sees the message and its conversation appear
    event = await olivia.receive_json_from(timeout=WAIT)
    assert event["type"] == "message.created"
    assert event["conversation"]["id"] == received.conversation.pk
    assert event["message"]["id"] == received.message.pk
    assert event["message"]["text"] == "Where is my order #1001?"
    # and bruno's next event is one of Northwind's own: Harbor's message never reached him
    sentinel = await send_sentinel(personas.northwind.pk)
    assert await bruno.receive_json_from(timeout=WAIT) == sentinel


async def test_a_batch_of_messages_reaches_agents_as_separate_events_in_order(
    personas, sockets
):
    # given olivia is online, bruno too, and two Harbor shoppers have an open conversation
    first = await shopper_writes(personas.harbor_api, "ayse", "Hello")
    second = await shopper_writes(personas.harbor_api, "budi", "Halo")
    olivia = await sockets["open"](personas.olivia)
    bruno = await sockets["open"](personas.bruno)
    # when a batch of their messages is received (written in bulk, published in one send)
    texts = [("ayse", "one"), ("budi", "dua"), ("ayse", "two"), ("budi", "tiga")]
    results = await database_sync_to_async(receive_messages)(personas.harbor_api, [
        InboundMessage(sender_id=s, text=t, source_id=f"batch-{i}")
        for i, (s, t) in enumerate(texts)])
    # then olivia's socket gets one message.created per message, in the batch's order
    events = [await olivia.receive_json_from(timeout=WAIT) for _ in texts]
    assert [e["type"] for e in events] == ["message.created"] * 4
    assert [(e["conversation"]["id"], e["message"]["text"]) for e in events] == [
        (first.conversation.pk, "one"), (second.conversation.pk, "dua"),
        (first.conversation.pk, "two"), (second.conversation.pk, "tiga")]
    assert [e["message"]["id"] for e in events] == [r.message.pk for r in results]
    # and nothing else came after them, and nothing of it reached Northwind's bruno
    sentinel = await send_sentinel(personas.harbor.pk)
    assert await olivia.receive_json_from(timeout=WAIT) == sentinel
    sentinel = await send_sentinel(personas.northwind.pk)
    assert await bruno.receive_json_from(timeout=WAIT) == sentinel


async def test_northwind_messages_do_not_reach_harbor(personas, sockets):
    # given olivia is online and bruno too
    olivia = await sockets["open"](personas.olivia)
    bruno = await sockets["open"](personas.bruno)
    # when a shopper writes to Northwind
    received = await shopper_writes(personas.northwind_api, "sam", "Hello Northwind")
    # then bruno gets it and olivia does not
    event = await bruno.receive_json_from(timeout=WAIT)
    assert event["conversation"]["id"] == received.conversation.pk
    sentinel = await send_sentinel(personas.harbor.pk)
    assert await olivia.receive_json_from(timeout=WAIT) == sentinel


async def test_light_agent_sees_her_team_and_her_assignments_only(personas, sockets):
    # given lina (light agent, team Returns) and ahmet (agent) are online
    lina = await sockets["open"](personas.lina)
    ahmet = await sockets["open"](personas.ahmet)
    # when a conversation with no team opens
    loose = await shopper_writes(personas.harbor_api, "jan", "Question about a lamp")
    # then ahmet gets it
    assert (await ahmet.receive_json_from(timeout=WAIT))["conversation"]["id"] == (
        loose.conversation.pk
    )
    # when another conversation is given to the Returns team and its shopper writes again
    returns = await shopper_writes(personas.harbor_api, "mei", "I want to return a vase")
    await give_to_returns(personas, returns.conversation)
    follow_up = await shopper_writes(personas.harbor_api, "mei", "It arrived broken")
    # then lina's first events are the Returns team's: the team-less one never reached her
    first = await lina.receive_json_from(timeout=WAIT)
    assert (first["type"], first["conversation"]["team_id"]) == (
        "conversation.updated", personas.returns.pk,
    )
    second = await lina.receive_json_from(timeout=WAIT)
    assert second["type"] == "message.created"
    assert second["message"]["id"] == follow_up.message.pk

    # when olivia assigns the team-less conversation to lina
    await database_sync_to_async(assign)(
        loose.conversation, Actor.agent(personas.olivia), assignee=personas.lina
    )
    # then lina receives the assignment and the conversation's next messages
    assigned = await lina.receive_json_from(timeout=WAIT)
    assert assigned["type"] == "conversation.updated"
    assert assigned["conversation"]["assignee_id"] == personas.lina.pk
    again = await shopper_writes(personas.harbor_api, "jan", "Any news?")
    event = await lina.receive_json_from(timeout=WAIT)
    assert event["message"]["id"] == again.message.pk


async def test_a_mention_goes_to_the_mentioned_agent_only(personas, sockets):
    # given a conversation and olivia, ahmet online
    received = await shopper_writes(personas.harbor_api, "ayse", "Can I change my address?")
    olivia = await sockets["open"](personas.olivia)
    ahmet = await sockets["open"](personas.ahmet)
    # when olivia writes a private note mentioning ahmet
    note = await database_sync_to_async(add_note)(
        received.conversation, Actor.agent(personas.olivia), "@ahmet can you take this one?"
    )
    # then both see the note, and only ahmet gets the mention
    assert (await olivia.receive_json_from(timeout=WAIT))["message"]["id"] == note.pk
    assert (await ahmet.receive_json_from(timeout=WAIT))["message"]["id"] == note.pk
    mention = await ahmet.receive_json_from(timeout=WAIT)
    assert (mention["type"], mention["membership_id"]) == ("mention.created", personas.ahmet.pk)
    sentinel = await send_sentinel(personas.harbor.pk)
    assert await olivia.receive_json_from(timeout=WAIT) == sentinel


async def test_a_removed_team_member_stops_receiving_after_refresh(personas, sockets, monkeypatch):
    # given sockets re-read their agent on every event (the 30 s refresh, compressed)
    monkeypatch.setattr(access, "REFRESH_SECONDS", 0.0)
    lina = await sockets["open"](personas.lina)
    first = await shopper_writes(personas.harbor_api, "mei", "Return please")
    await give_to_returns(personas, first.conversation)
    assert (await lina.receive_json_from(timeout=WAIT))["conversation"]["team_id"] == (
        personas.returns.pk
    )
    # when lina is taken off the Returns team
    await database_sync_to_async(set_team_members)(personas.returns, [personas.ahmet])
    await shopper_writes(personas.harbor_api, "mei", "Hello?")
    # then the team's next message no longer reaches her
    sentinel = await send_sentinel(personas.harbor.pk)
    assert await lina.receive_json_from(timeout=WAIT) == sentinel


async def test_signing_out_ends_the_socket_at_the_next_refresh(personas, sockets, monkeypatch):
    # given olivia's socket, opened with her session
    monkeypatch.setattr(access, "REFRESH_SECONDS", 0.0)
    cookie = await database_sync_to_async(_login)(personas.olivia)
    olivia = await sockets["open"](cookie=cookie)
    # when her session ends (signed out in another tab) and a message arrives
    await database_sync_to_async(_logout)(cookie)
    await shopper_writes(personas.harbor_api, "ayse", "Hi")
    # then the socket is closed as "not signed in" instead of delivering it
    assert await olivia.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4401}


async def test_an_agent_in_two_accounts_follows_the_session_account(personas, sockets):
    # given olivia also has a seat at Northwind and works there in this session
    seat = await database_sync_to_async(add_member)(
        personas.northwind, "olivia@harbor.test", role=Role.AGENT, password=PASSWORD
    )
    olivia = await sockets["open"](personas.olivia, account_id=personas.northwind.pk)
    assert seat.agent_id == personas.olivia.agent_id
    # when messages arrive in both accounts
    await shopper_writes(personas.harbor_api, "ayse", "Harbor message")
    northwind = await shopper_writes(personas.northwind_api, "sam", "Northwind message")
    # then her socket carries only Northwind's
    event = await olivia.receive_json_from(timeout=WAIT)
    assert event["message"]["id"] == northwind.message.pk


async def test_anonymous_and_seatless_sockets_are_refused(personas, sockets):
    # given nobody signed in
    anonymous = await sockets["open"](expect=False)
    assert anonymous.close_code == access.NOT_SIGNED_IN
    # given an agent whose only seat was deactivated
    from storedesk.accounts.actions import deactivate_member

    await database_sync_to_async(deactivate_member)(personas.lina, by=personas.olivia.agent)
    lina = await sockets["open"](personas.lina, expect=False)
    assert lina.close_code == access.NO_SEAT


def _login(membership) -> str:
    from storedesk.realtime.tests.conftest import _session_cookie

    return _session_cookie(membership, None)


def _logout(session_key: str) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=session_key).delete()
