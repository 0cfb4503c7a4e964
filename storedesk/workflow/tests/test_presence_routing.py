"""Availability fed by realtime presence: in a pool that asks for it, an agent whose workspace
socket is closed goes away (their open conversations go to the others, new ones skip them),
and comes back online when their workspace opens again. Real agent sockets (the ASGI app, real
sessions, the configured layer and cache), the worker's minute task run in between."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache

from storedesk.accounts.actions import add_member, create_team, set_team_members
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Role
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation
from storedesk.realtime.tests.conftest import layer_prefix, sockets  # noqa: F401 - fixtures
from storedesk.workflow import routing
from storedesk.workflow.actions_routing import save_pool
from storedesk.workflow.models import AgentProfile
from storedesk.workflow.tasks import follow_presence

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def desk(personas, *, away_when_offline: bool):
    agents = [add_member(personas.harbor, f"seat{i}@harbor.test", role=Role.AGENT,
                         name=f"Seat {i}") for i in range(2)]
    members = [personas.olivia, personas.ahmet, *agents]
    cache.delete_many([f"realtime:seat-online:{m.pk}" for m in members])  # none left over
    team = create_team(personas.harbor, "Chat")
    set_team_members(team, agents)
    personas.harbor_chat.team = team
    personas.harbor_chat.save(update_fields=["team"])
    save_pool(personas.harbor, inbox=None, team=team, strategy="round_robin", capacity=10,
              only_online=True, away_when_offline=away_when_offline)
    return agents


@database_sync_to_async
def write(inbox, sender: str) -> Conversation:
    return receive_message(inbox, InboundMessage(sender_id=sender, text="Hi")).conversation


@database_sync_to_async
def assignee_of(conversation) -> int | None:
    return Conversation.objects.values_list("assignee_id", flat=True).get(pk=conversation.pk)


@database_sync_to_async
def availability_of(member) -> tuple[str, bool]:
    profile = AgentProfile.objects.get(membership=member)
    return profile.availability, profile.away_by_presence


sync = database_sync_to_async(follow_presence.call_local)


async def test_a_closed_workspace_hands_conversations_on_and_an_open_one_comes_back(
        personas, sockets):  # noqa: F811
    first, second = await desk(personas, away_when_offline=True)
    # given both agents have the workspace open, and each got a conversation
    await sockets["open"](first)
    second_socket = await sockets["open"](second)
    assert await sync() == 0
    chats = [await write(personas.harbor_chat, f"v{i}") for i in range(2)]
    assert {await assignee_of(c) for c in chats} == {first.pk, second.pk}
    # when the second agent's workspace has been closed longer than presence lasts
    await second_socket.disconnect()
    await database_sync_to_async(cache.delete)(f"realtime:seat-online:{second.pk}")
    assert await sync() == 1
    # then they are away (by presence), their conversation went to the first agent
    assert await availability_of(second) == ("away", True)
    assert {await assignee_of(c) for c in chats} == {first.pk}
    # and new conversations skip them
    assert await assignee_of(await write(personas.harbor_chat, "v-later")) == first.pk
    # when they open the workspace again, the next sweep has them online
    await sockets["open"](second)
    assert await sync() == 1
    assert await availability_of(second) == ("online", False)
    assert await assignee_of(await write(personas.harbor_chat, "v-back")) == second.pk


async def test_presence_never_overrides_an_agents_own_away_nor_pools_that_did_not_ask(
        personas, sockets):  # noqa: F811
    first, second = await desk(personas, away_when_offline=False)
    # a pool without the setting: closed workspaces change nothing
    assert await sync() == 0
    assert await assignee_of(await write(personas.harbor_chat, "n-1")) in (first.pk, second.pk)

    @database_sync_to_async
    def turn_on_and_go_away():
        save_pool(personas.harbor, inbox=None, team=personas.harbor_chat.team,
                  strategy="round_robin", capacity=10, only_online=True,
                  away_when_offline=True)
        routing.set_availability(second, "away", Actor.agent(second))

    await turn_on_and_go_away()
    # the second agent chose away; opening the workspace does not bring them back
    await sockets["open"](first)
    await sockets["open"](second)
    assert await sync() == 0
    assert await availability_of(second) == ("away", False)
