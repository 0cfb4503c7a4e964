"""Availability fed by realtime presence, for pools that ask for it (`away_when_offline`).

The workspace's socket marks its agent's seat in the shared cache while it is open (realtime
presence: on connect and on the browser's 30-second heartbeat, for ONLINE_TTL_SECONDS). Each
minute `sync` looks at the members of such pools: one whose workspace is closed goes away
(`routing.set_availability`: their open auto-assigned conversations go back to the pool and
to the available agents, and routing gives them no new ones), and one who went away this way
comes back online when their workspace is open again (and takes waiting conversations). An
agent who set themselves away stays away: presence never overrides that.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from storedesk.accounts.actor import SYSTEM
from storedesk.accounts.models import Membership, Role
from storedesk.realtime.presence import seats_online
from storedesk.workflow import routing
from storedesk.workflow.models import AgentProfile, AssignmentPool, Availability


def pool_members(pool: AssignmentPool) -> set[int]:
    members = Membership.objects.filter(account_id=pool.account_id, is_active=True)
    team_id = pool.team_id or (pool.inbox.team_id if pool.inbox is not None else None)
    if team_id is not None:
        members = members.filter(teams=team_id)
    else:
        members = members.exclude(role=Role.LIGHT_AGENT)
    return set(members.values_list("pk", flat=True))


def sync(now: datetime | None = None) -> int:
    """Apply presence to the availability of presence-following pools' members; the number of
    agents whose availability changed."""
    by_account: dict[int, set[int]] = defaultdict(set)
    for pool in (AssignmentPool.objects.filter(is_active=True, away_when_offline=True)
                 .select_related("inbox")):
        by_account[pool.account_id] |= pool_members(pool)
    changed = 0
    for account_id, member_ids in by_account.items():
        ids = sorted(member_ids)
        online = seats_online(ids)
        profiles = {p.membership_id: p for p in
                    AgentProfile.objects.filter(account_id=account_id, membership_id__in=ids)}
        for membership in Membership.objects.filter(pk__in=ids).order_by("pk"):
            profile = profiles.get(membership.pk)
            available = profile is None or profile.availability == Availability.ONLINE
            if available and membership.pk not in online:
                routing.set_availability(membership, Availability.AWAY, SYSTEM,
                                         by_presence=True)
                changed += 1
            elif (not available and membership.pk in online and profile is not None
                  and profile.away_by_presence):
                routing.set_availability(membership, Availability.ONLINE, SYSTEM,
                                         by_presence=True)
                changed += 1
    return changed
