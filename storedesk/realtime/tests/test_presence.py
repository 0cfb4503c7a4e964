"""Presence: agents see who else is viewing or typing in a conversation, within the account."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, assign, receive_message
from storedesk.realtime.tests.conftest import WAIT, send_sentinel

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def open_conversation(inbox, sender_id: str = "ayse", text: str = "Where is my parcel?"):
    return receive_message(inbox, InboundMessage(sender_id=sender_id, text=text)).conversation


def presence(conversation_id: int, state: str) -> dict:
    return {"type": "presence", "conversation_id": conversation_id, "state": state}


async def test_olivia_sees_ahmet_viewing_and_typing_and_bruno_sees_nothing(personas, sockets):
    # given a Harbor conversation and olivia, ahmet, bruno online
    conversation = await open_conversation(personas.harbor_api)
    olivia = await sockets["open"](personas.olivia)
    ahmet = await sockets["open"](personas.ahmet)
    bruno = await sockets["open"](personas.bruno)
    # when ahmet opens the conversation and starts typing
    await ahmet.send_json_to(presence(conversation.pk, "viewing"))
    await ahmet.send_json_to(presence(conversation.pk, "typing"))
    # then olivia is told, with ahmet's name
    ahmet_card = {"id": personas.ahmet.pk, "name": "Ahmet Yilmaz"}
    assert await olivia.receive_json_from(timeout=WAIT) == {
        "type": "presence", "conversation_id": conversation.pk, "agent": ahmet_card,
        "state": "viewing",
    }
    assert (await olivia.receive_json_from(timeout=WAIT))["state"] == "typing"
    # and neither bruno nor ahmet himself received anything
    northwind_sentinel = await send_sentinel(personas.northwind.pk)
    assert await bruno.receive_json_from(timeout=WAIT) == northwind_sentinel
    harbor_sentinel = await send_sentinel(personas.harbor.pk)
    assert await ahmet.receive_json_from(timeout=WAIT) == harbor_sentinel


async def test_a_late_arrival_learns_who_is_already_there(personas, sockets):
    # given olivia is already viewing a conversation
    conversation = await open_conversation(personas.harbor_api)
    olivia = await sockets["open"](personas.olivia)
    ahmet = await sockets["open"](personas.ahmet)
    await olivia.send_json_to(presence(conversation.pk, "viewing"))
    assert (await ahmet.receive_json_from(timeout=WAIT))["agent"]["id"] == personas.olivia.pk
    # when ahmet opens it too
    await ahmet.send_json_to(presence(conversation.pk, "viewing"))
    # then olivia learns about ahmet, and ahmet hears back that olivia is there
    assert (await olivia.receive_json_from(timeout=WAIT))["agent"]["id"] == personas.ahmet.pk
    answer = await ahmet.receive_json_from(timeout=WAIT)
    assert (answer["agent"]["id"], answer["state"]) == (personas.olivia.pk, "viewing")
    # and the exchange stops there: no echo of echoes
    sentinel = await send_sentinel(personas.harbor.pk)
    assert await olivia.receive_json_from(timeout=WAIT) == sentinel
    assert await ahmet.receive_json_from(timeout=WAIT) == sentinel


async def test_closing_the_tab_or_switching_conversation_announces_left(personas, sockets):
    # given ahmet viewing one conversation while olivia watches
    first = await open_conversation(personas.harbor_api, "ayse")
    second = await open_conversation(personas.harbor_api, "jan")
    olivia = await sockets["open"](personas.olivia)
    ahmet = await sockets["open"](personas.ahmet)
    await ahmet.send_json_to(presence(first.pk, "viewing"))
    assert (await olivia.receive_json_from(timeout=WAIT))["conversation_id"] == first.pk
    # when he moves to another conversation
    await ahmet.send_json_to(presence(second.pk, "viewing"))
    # then olivia sees him leave the first and arrive in the second
    left = await olivia.receive_json_from(timeout=WAIT)
    assert (left["conversation_id"], left["state"]) == (first.pk, "left")
    arrived = await olivia.receive_json_from(timeout=WAIT)
    assert (arrived["conversation_id"], arrived["state"]) == (second.pk, "viewing")
    # when his socket closes
    await ahmet.disconnect(timeout=WAIT)
    # then olivia sees him leave the second one
    gone = await olivia.receive_json_from(timeout=WAIT)
    assert (gone["conversation_id"], gone["agent"]["id"], gone["state"]) == (
        second.pk, personas.ahmet.pk, "left",
    )


async def test_presence_follows_the_light_agent_rule(personas, sockets):
    # given a conversation with no team and one of the Returns team
    loose = await open_conversation(personas.harbor_api, "jan")
    returns = await open_conversation(personas.harbor_api, "mei")
    await database_sync_to_async(assign)(
        returns, Actor.agent(personas.olivia), assignee=None, team=personas.returns,
        set_team=True,
    )
    lina = await sockets["open"](personas.lina)
    olivia = await sockets["open"](personas.olivia)
    # when olivia views the team-less conversation, then the Returns one
    await olivia.send_json_to(presence(loose.pk, "viewing"))
    await olivia.send_json_to(presence(returns.pk, "viewing"))
    # then lina hears only about the Returns one: the "left" for the other is hidden as well
    event = await lina.receive_json_from(timeout=WAIT)
    assert (event["conversation_id"], event["state"]) == (returns.pk, "viewing")

    # when lina claims to view a conversation she cannot see, and a foreign one
    foreign = await open_conversation(personas.northwind_api, "sam")
    await lina.send_json_to(presence(loose.pk, "viewing"))
    await lina.send_json_to(presence(foreign.pk, "typing"))
    # then nothing is broadcast
    sentinel = await send_sentinel(personas.harbor.pk)
    assert await olivia.receive_json_from(timeout=WAIT) == sentinel


async def test_malformed_and_oversized_frames_are_ignored(personas, sockets):
    # given olivia watching and ahmet online
    conversation = await open_conversation(personas.harbor_api)
    olivia = await sockets["open"](personas.olivia)
    ahmet = await sockets["open"](personas.ahmet)
    # when ahmet's browser sends garbage
    await ahmet.send_to(text_data="not json")
    await ahmet.send_to(bytes_data=b"\x00\x01")
    await ahmet.send_json_to({"type": "presence", "conversation_id": "1", "state": "viewing"})
    await ahmet.send_json_to({"type": "presence", "conversation_id": True, "state": "viewing"})
    await ahmet.send_json_to(presence(conversation.pk, "dancing"))
    await ahmet.send_json_to({"type": "subscribe", "account_id": personas.northwind.pk})
    await ahmet.send_to(text_data='{"type": "presence", "pad": "' + "x" * 5000 + '"}')
    # then his socket stays open and nobody hears anything until a real announcement
    await ahmet.send_json_to(presence(conversation.pk, "viewing"))
    event = await olivia.receive_json_from(timeout=WAIT)
    assert (event["agent"]["id"], event["state"]) == (personas.ahmet.pk, "viewing")
