"""Auto-assignment: pools per inbox or team, round robin and least open, capacity, skills,
availability, re-assignment when an agent goes away, and no over-assignment under concurrent
arrivals (threads, on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from storedesk.accounts.actions import add_member, create_team, set_team_members
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Role
from storedesk.inbox.actions import InboundMessage, assign, change_status, receive_message
from storedesk.inbox.models import Conversation
from storedesk.workflow import routing
from storedesk.workflow.models import AgentProfile, AssignmentPool, Strategy

pytestmark = pytest.mark.django_db(transaction=True)
RULE = Actor.rule()


def write(inbox, sender: str, **extra) -> Conversation:
    return receive_message(inbox, InboundMessage(sender_id=sender, text="Hello", **extra)
                           ).conversation


@pytest.fixture
def desk(personas):
    """Harbor's chat inbox on a "Chat" team of three agents."""
    harbor = personas.harbor
    agents = [add_member(harbor, f"agent{i}@harbor.test", role=Role.AGENT, name=f"Agent {i}")
              for i in range(3)]
    team = create_team(harbor, "Chat")
    set_team_members(team, agents)
    personas.harbor_chat.team = team
    personas.harbor_chat.save(update_fields=["team"])
    return personas, team, agents


def assignee_of(conversation) -> int | None:
    return Conversation.objects.values_list("assignee_id", flat=True).get(pk=conversation.pk)


def test_round_robin_takes_turns_and_least_open_balances(desk):
    personas, team, agents = desk
    pool = AssignmentPool.objects.create(account=personas.harbor, inbox=personas.harbor_chat,
                                         strategy=Strategy.ROUND_ROBIN)
    first = [assignee_of(write(personas.harbor_chat, f"rr{i}")) for i in range(6)]
    assert first[:3] == [a.pk for a in agents] and first[3:] == first[:3]
    # least open: the agent who resolved two has room first
    pool.strategy = Strategy.LEAST_OPEN
    pool.save()
    done = Conversation.objects.filter(assignee=agents[2]).order_by("pk")
    for conversation in done:
        change_status(conversation, Actor.agent(agents[2]), "resolved")
    assert assignee_of(write(personas.harbor_chat, "lo-1")) == agents[2].pk


def test_capacity_is_never_exceeded_and_waiting_conversations_get_freed_room(desk):
    personas, team, agents = desk
    AssignmentPool.objects.create(account=personas.harbor, team=team, capacity=1)
    conversations = [write(personas.harbor_chat, f"cap{i}") for i in range(4)]
    owners = [assignee_of(c) for c in conversations]
    assert sorted(o for o in owners if o) == sorted(a.pk for a in agents)
    waiting = [c for c, o in zip(conversations, owners, strict=True) if o is None]
    assert len(waiting) == 1
    # when one agent resolves theirs, the waiting conversation comes to them
    busy = conversations[0]
    change_status(busy, Actor.agent(agents[0]), "resolved")
    assert assignee_of(waiting[0]) == owners[0]


def test_skills_route_polish_to_polish_speakers(desk):
    personas, team, agents = desk
    AssignmentPool.objects.create(account=personas.harbor, team=team)
    AgentProfile.objects.create(account=personas.harbor, membership=agents[0], languages=["pl"])
    AgentProfile.objects.create(account=personas.harbor, membership=agents[1], languages=["tr"])
    AgentProfile.objects.create(account=personas.harbor, membership=agents[2],
                                languages=["tr"], channels=["email"])
    polish = write(personas.harbor_chat, "pl-1", metadata={"language": "pl"})
    assert assignee_of(polish) == agents[0].pk
    turkish = write(personas.harbor_chat, "tr-1", metadata={"language": "tr"})
    assert assignee_of(turkish) == agents[1].pk  # agent 2 only takes email


def test_an_agent_going_away_hands_their_open_conversations_on(desk):
    personas, team, agents = desk
    AssignmentPool.objects.create(account=personas.harbor, team=team,
                                  strategy=Strategy.ROUND_ROBIN)
    mine = [write(personas.harbor_chat, f"away{i}") for i in range(3)]
    leaving = Conversation.objects.get(pk=mine[0].pk).assignee
    # when that agent goes away
    moved = routing.set_availability(leaving, "away", Actor.agent(leaving))
    # then their conversation went to someone online, never back to them
    assert len(moved) == 1 and moved[0].membership_id not in (None, leaving.pk)
    assert assignee_of(mine[0]) == moved[0].membership_id
    # and new conversations skip them while away
    for i in range(4):
        assert assignee_of(write(personas.harbor_chat, f"later{i}")) != leaving.pk
    # back online, they take the next ones again
    routing.set_availability(leaving, "online", Actor.agent(leaving))
    assert leaving.pk in {assignee_of(write(personas.harbor_chat, f"back{i}")) for i in range(3)}


def test_conversations_assigned_by_hand_or_without_pool_are_left_alone(desk):
    personas, team, agents = desk
    conversation = write(personas.harbor_api, "nopool")
    assert assignee_of(conversation) is None
    AssignmentPool.objects.create(account=personas.harbor, team=team)
    by_hand = write(personas.harbor_chat, "hand")
    assign(by_hand, Actor.agent(personas.olivia), assignee=personas.olivia)
    assert assignee_of(by_hand) == personas.olivia.pk


def test_concurrent_arrivals_never_over_assign(desk):
    personas, team, agents = desk
    # given 8 conversations waiting, and then a pool with room for 2 per agent (6 in all)
    conversations = [write(personas.harbor_chat, f"rush{i}") for i in range(8)]
    assert all(assignee_of(c) is None for c in conversations)
    AssignmentPool.objects.create(account=personas.harbor, team=team, capacity=2)
    barrier = threading.Barrier(len(conversations))
    errors: list[BaseException] = []

    def arrive(conversation_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            routing.route(conversation_id, RULE)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive, args=(c.pk,)) for c in conversations]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    close_old_connections()
    assert not errors, errors
    # then exactly six were assigned, two each, never three
    loads = routing.open_load(personas.harbor.pk, [a.pk for a in agents])
    assert loads == {a.pk: 2 for a in agents}
    assert Conversation.objects.filter(pk__in=[c.pk for c in conversations],
                                       assignee__isnull=True).count() == 2
