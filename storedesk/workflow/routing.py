"""Auto-assignment: give an unassigned open conversation to an available agent of its pool.

- The pool: the conversation's team's (if it has an active one), else its inbox's.
- Candidates: the team's active members (an inbox pool without a team: every active agent who
  is not a light agent), whose profile is online (when the pool asks for it), whose skills
  match (languages, channels, stores; empty = any) and whose open conversations are below
  their capacity (their profile's, else the pool's).
- Round robin picks the candidate assigned longest ago; "least open" the one with the fewest
  open conversations (then longest ago).

Capacity holds under concurrent arrivals: `route` locks the candidates' profile rows (in id
order, so two routers never deadlock) before counting their load, so a second router waits
for the first to commit and then counts its assignment (PostgreSQL); SQLite's IMMEDIATE
transactions serialise writers the same way. Assignments go through `inbox.actions.assign` as
the `rule` actor caused by the triggering event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership, Role
from storedesk.inbox.models import Conversation, Status
from storedesk.workflow.models import AgentProfile, AssignmentPool, Availability, Strategy

WAITING_BATCH = 20


def pool_for(conversation: Conversation) -> AssignmentPool | None:
    pools = AssignmentPool.objects.filter(account_id=conversation.account_id, is_active=True)
    if conversation.team_id is not None:
        pool = pools.filter(team_id=conversation.team_id).first()
        if pool is not None:
            return pool
    return pools.filter(inbox_id=conversation.inbox_id).first()


def candidates_of(pool: AssignmentPool, conversation: Conversation) -> list[int]:
    """Membership ids who may take conversations of this pool."""
    members = Membership.objects.filter(account_id=pool.account_id, is_active=True)
    team_id = pool.team_id or conversation.inbox.team_id
    if team_id is not None:
        members = members.filter(teams=team_id)
    else:
        members = members.exclude(role=Role.LIGHT_AGENT)
    return list(members.order_by("pk").values_list("pk", flat=True))


def _profiles(account_id: int, membership_ids: Sequence[int]) -> list[AgentProfile]:
    """The candidates' profiles, created when missing, then locked in id order."""
    AgentProfile.objects.bulk_create(
        [AgentProfile(account_id=account_id, membership_id=m) for m in membership_ids],
        ignore_conflicts=True,
    )
    return list(
        AgentProfile.objects.select_for_update()
        .filter(account_id=account_id, membership_id__in=membership_ids).order_by("pk")
    )


def _skilled(profile: AgentProfile, conversation: Conversation) -> bool:
    if profile.languages and conversation.language.split("-")[0] not in profile.languages:
        return False
    if profile.channels and conversation.inbox.channel not in profile.channels:
        return False
    return not profile.store_ids or conversation.store_id in profile.store_ids


def open_load(account_id: int, membership_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        Conversation.objects.filter(account_id=account_id, assignee_id__in=membership_ids,
                                    status=Status.OPEN)
        .values("assignee_id").annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Routed:
    conversation_id: int
    membership_id: int | None  # None: nobody available (it waits in the pool)


@transaction.atomic
def route(conversation_id: int, actor: Actor, *, exclude: Sequence[int] = ()) -> Routed:
    """Assign one unassigned open conversation to the best available agent of its pool."""
    from storedesk.inbox.actions import assign

    conversation = (Conversation.objects.select_for_update(of=("self",))
                    .select_related("inbox").filter(pk=conversation_id).first())
    if conversation is None or conversation.assignee_id is not None \
            or conversation.status != Status.OPEN:
        return Routed(conversation_id, None)
    pool = pool_for(conversation)
    if pool is None:
        return Routed(conversation_id, None)
    ids = [m for m in candidates_of(pool, conversation) if m not in exclude]
    if not ids:
        return Routed(conversation_id, None)
    profiles = _profiles(conversation.account_id, ids)
    load = open_load(conversation.account_id, ids)
    eligible = [
        p for p in profiles
        if (not pool.only_online or p.availability == Availability.ONLINE)
        and _skilled(p, conversation)
        and load.get(p.membership_id, 0) < (p.capacity if p.capacity is not None
                                            else pool.capacity)
    ]
    if not eligible:
        return Routed(conversation_id, None)
    never = timezone.now().replace(year=2000)

    def longest_ago(p: AgentProfile) -> tuple[object, ...]:
        return (p.last_assigned_at or never, p.pk)

    if pool.strategy == Strategy.ROUND_ROBIN:
        chosen = min(eligible, key=longest_ago)
    else:
        chosen = min(eligible, key=lambda p: (load.get(p.membership_id, 0), *longest_ago(p)))
    member = Membership.objects.get(pk=chosen.membership_id)
    assign(conversation, actor, assignee=member)
    chosen.last_assigned_at = timezone.now()
    chosen.save(update_fields=["last_assigned_at", "updated_at"])
    return Routed(conversation_id, member.pk)


def waiting_in_pool(pool: AssignmentPool, limit: int = WAITING_BATCH) -> list[int]:
    """Unassigned open conversations of a pool, oldest first."""
    qs = Conversation.objects.filter(account_id=pool.account_id, status=Status.OPEN,
                                     assignee__isnull=True)
    if pool.team_id is not None:
        qs = qs.filter(team_id=pool.team_id)
    else:
        team_pools = AssignmentPool.objects.filter(account_id=pool.account_id, is_active=True,
                                                   team__isnull=False).values("team_id")
        qs = qs.filter(inbox_id=pool.inbox_id or 0).exclude(team_id__in=team_pools)
    return list(qs.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])


def route_waiting(account_id: int, actor: Actor, *, membership_id: int | None = None) -> int:
    """Offer waiting conversations again (capacity was freed, an agent came online)."""
    pools = AssignmentPool.objects.filter(account_id=account_id, is_active=True)
    if membership_id is not None:
        teams = Membership.objects.get(pk=membership_id).teams.values("pk")
        pools = pools.filter(Q(team_id__in=teams) | Q(team__isnull=True))
    assigned = 0
    for pool in pools.order_by("pk"):
        for conversation_id in waiting_in_pool(pool):
            if route(conversation_id, actor).membership_id is None:
                break  # nobody in this pool has room: the rest wait too
            assigned += 1
    return assigned


@transaction.atomic
def set_availability(membership: Membership, availability: str, actor: Actor, *,
                     by_presence: bool = False) -> list[Routed]:
    """An agent goes online or away. Away: their open conversations in auto-assigned pools go
    back to the pool and to the other available agents (or wait unassigned). `by_presence`:
    set by realtime presence (workflow.presence), which may set them online again; a choice of
    the agent or an admin is theirs to undo."""
    from storedesk.core.errors import ActionError
    from storedesk.inbox.actions import assign

    if availability not in Availability.values:
        raise ActionError("Availability is online or away.")
    profile = _profiles(membership.account_id, [membership.pk])[0]
    if profile.availability == availability:
        if profile.away_by_presence and not by_presence:  # the agent's own choice now
            profile.away_by_presence = False
            profile.save(update_fields=["away_by_presence", "updated_at"])
        return []
    profile.availability = availability
    profile.away_by_presence = by_presence and availability == Availability.AWAY
    profile.save(update_fields=["availability", "away_by_presence", "updated_at"])
    if availability == Availability.ONLINE:
        route_waiting(membership.account_id, actor, membership_id=membership.pk)
        return []
    moved: list[Routed] = []
    for conversation in (Conversation.objects.select_related("inbox")
                         .filter(account_id=membership.account_id, assignee=membership,
                                 status=Status.OPEN).order_by("pk")):
        if pool_for(conversation) is None:
            continue  # not auto-assigned: stays with them
        assign(conversation, actor, assignee=None)
        moved.append(route(conversation.pk, actor, exclude=[membership.pk]))
    return moved
