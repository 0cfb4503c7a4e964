"""Writes for accounts, memberships, teams, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from storedesk.accounts.models import (
    Account,
    Agent,
    ApiToken,
    AuditLog,
    Membership,
    Role,
    Team,
    hash_token,
)
from storedesk.core.actor import Actor
from storedesk.core.errors import ActionError


def audit(
    action: str,
    *,
    account: Account | int | None,
    actor: Agent | None = None,
    obj: Any = None,
    ip: str | None = None,
    **data: Any,
) -> AuditLog:
    """Append one audit row. Never log secrets in `data`."""
    account_id = account.pk if isinstance(account, Account) else account
    return AuditLog.objects.create(
        account_id=account_id,
        actor=actor,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        data=data,
        ip_address=ip,
    )


@transaction.atomic
def create_account(name: str, *, languages: list[str] | None = None, slug: str = "") -> Account:
    base = slug or slugify(name)[:70] or "account"
    candidate, n = base, 1
    while Account.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    account = Account.objects.create(name=name, slug=candidate, languages=languages or ["en"])
    audit("account.created", account=account, obj=account)
    return account


@transaction.atomic
def add_member(
    account: Account,
    email: str,
    *,
    role: str = Role.AGENT,
    name: str = "",
    password: str | None = None,
    language: str = "en",
    by: Agent | None = None,
) -> Membership:
    """Create the agent if needed and give them a seat in the account."""
    if role not in Role.values:
        raise ActionError(f"Unknown role {role!r}.")
    email = email.strip().lower()
    agent = Agent.objects.filter(email=email).first()
    if agent is None:
        agent = Agent.objects.create_user(email, password, name=name, language=language)
    membership, created = Membership.objects.get_or_create(
        account=account, agent=agent, defaults={"role": role}
    )
    if not created and (membership.role != role or not membership.is_active):
        membership.role = role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active", "updated_at"])
    audit("member.added", account=account, actor=by, obj=membership, email=email, role=role)
    return membership


@transaction.atomic
def set_role(membership: Membership, role: str, *, by: Agent) -> Membership:
    if role not in Role.values:
        raise ActionError(f"Unknown role {role!r}.")
    if membership.role == Role.OWNER and role != Role.OWNER:
        owners = Membership.objects.filter(
            account_id=membership.account_id, role=Role.OWNER, is_active=True
        )
        if owners.count() <= 1:
            raise ActionError("An account needs at least one owner.")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit("member.role_changed", account=membership.account_id, actor=by, obj=membership,
          old=old, new=role)
    return membership


@transaction.atomic
def deactivate_member(membership: Membership, *, by: Agent) -> Membership:
    if membership.role == Role.OWNER:
        raise ActionError("An owner cannot be deactivated; change the role first.")
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit("member.deactivated", account=membership.account_id, actor=by, obj=membership)
    return membership


@transaction.atomic
def create_team(account: Account, name: str, *, by: Agent | None = None) -> Team:
    name = name.strip()
    if not name:
        raise ActionError("A team needs a name.")
    if Team.objects.filter(account=account, name=name).exists():
        raise ActionError(f"There is already a team called {name!r}.")
    team = Team.objects.create(account=account, name=name)
    audit("team.created", account=account, actor=by, obj=team, name=name)
    return team


@transaction.atomic
def set_team_members(team: Team, members: list[Membership], *, by: Agent | None = None) -> Team:
    if any(m.account_id != team.account_id for m in members):
        raise ActionError("Every member must belong to the team's account.")
    team.members.set(members)
    audit("team.members_set", account=team.account_id, actor=by, obj=team,
          members=[m.pk for m in members])
    return team


@transaction.atomic
def create_api_token(
    membership: Membership, *, name: str = "API token", ttl_days: int | None = None,
    by: Agent | None = None,
) -> tuple[ApiToken, str]:
    """Returns the row and the raw token; the raw value is never stored or shown again."""
    if not membership.is_active:
        raise ActionError("That membership is deactivated.")
    raw = ApiToken.generate_raw()
    days = settings.API_TOKEN_TTL_DAYS if ttl_days is None else ttl_days
    token = ApiToken.objects.create(
        account_id=membership.account_id,
        membership=membership,
        name=name[:100],
        token_hash=hash_token(raw),
        hint=raw[:10],
        expires_at=timezone.now() + timedelta(days=days) if days > 0 else None,
    )
    audit("api_token.created", account=membership.account_id, actor=by or membership.agent,
          obj=token, name=token.name, hint=token.hint)
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: Agent | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit("api_token.revoked", account=token.account_id, actor=by, obj=token, hint=token.hint)
    return token


def touch_api_token(token_id: int, when: datetime) -> None:
    """Remember when a token was last used (at most every few minutes, to spare the database)."""
    ApiToken.objects.filter(pk=token_id).update(last_used_at=when)


def actor_for(membership: Membership) -> Actor:
    return Actor.agent(membership)
