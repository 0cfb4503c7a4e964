"""Writes of routing settings: assignment pools and agents' routing profiles (audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent, Membership, Team
from storedesk.core.errors import ActionError
from storedesk.inbox.channels import is_channel
from storedesk.inbox.models import Inbox
from storedesk.workflow.models import AgentProfile, AssignmentPool, Strategy


@transaction.atomic
def save_pool(account: Account, *, inbox: Inbox | None, team: Team | None, strategy: str,
              capacity: int, only_online: bool, is_active: bool = True,
              away_when_offline: bool = False, by: Agent | None = None) -> AssignmentPool:
    """Create or replace the pool of one inbox or one team."""
    if (inbox is None) == (team is None):
        raise ActionError(gettext_noop("Choose an inbox or a team."))
    for owner in (inbox, team):
        if owner is not None and owner.account_id != account.pk:
            raise ActionError(gettext_noop("That inbox or team is not in this account."))
    if strategy not in Strategy.values:
        raise ActionError(gettext_noop("Unknown strategy."))
    if not 1 <= capacity <= 1000:
        raise ActionError(gettext_noop("Capacity is between 1 and 1000."))
    pool = AssignmentPool.objects.filter(account=account, inbox=inbox, team=team).first() \
        or AssignmentPool(account=account, inbox=inbox, team=team)
    pool.strategy, pool.capacity = strategy, capacity
    # following presence is about who is online: those pools only ever route to online agents
    pool.only_online, pool.is_active = only_online or away_when_offline, is_active
    pool.away_when_offline = away_when_offline
    pool.save()
    audit("routing.pool_saved", account=account, actor=by, obj=pool,
          inbox=inbox.pk if inbox else None, team=team.pk if team else None)
    return pool


@transaction.atomic
def delete_pool(pool: AssignmentPool, *, by: Agent | None = None) -> None:
    audit("routing.pool_deleted", account=pool.account_id, actor=by, obj=pool)
    pool.delete()


def _codes(values: list[str], check: Any, message: str) -> list[str]:
    out = list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    if len(out) > 50 or any(not check(v) for v in out):
        raise ActionError(message)
    return out


@transaction.atomic
def update_profile(membership: Membership, *, capacity: int | None, languages: list[str],
                   channels: list[str], by: Agent | None = None) -> AgentProfile:
    if capacity is not None and not 0 <= capacity <= 1000:
        raise ActionError(gettext_noop("Capacity is between 1 and 1000."))
    languages = _codes(languages, lambda v: 2 <= len(v) <= 8 and v.replace("-", "").isalpha(),
                       gettext_noop("Languages are codes like pl or pt-br."))
    channels = _codes(channels, is_channel, gettext_noop("Unknown channel."))
    profile, _ = AgentProfile.objects.get_or_create(account_id=membership.account_id,
                                                    membership=membership)
    profile.capacity, profile.languages, profile.channels = capacity, languages, channels
    profile.save()
    audit("routing.profile_updated", account=membership.account_id, actor=by, obj=profile,
          membership=membership.pk)
    return profile
