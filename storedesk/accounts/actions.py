"""Writes for accounts, memberships, teams, API tokens and the audit log."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import (
    Account,
    Agent,
    ApiToken,
    AuditLog,
    Invitation,
    Membership,
    Role,
    Team,
    hash_token,
)
from storedesk.core.errors import ActionError
from storedesk.core.oncommit import recheck_sockets_on_commit


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
    recheck_sockets_on_commit(membership.agent_id)
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
    recheck_sockets_on_commit(membership.agent_id)
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
    before = set(team.members.values_list("agent_id", flat=True))
    team.members.set(members)
    for agent_id in before | {m.agent_id for m in members}:
        recheck_sockets_on_commit(agent_id)  # a light agent's view follows her teams at once
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


# --- Sign-in, invitations, profile, account settings (UI-SHELL) -----------------------------

INVITATION_TTL_DAYS = 7


def record_sign_in(agent: Agent, *, ip: str | None = None) -> None:
    """Audit a successful sign-in (one row per account the agent works in)."""
    seats: list[int | None] = list(
        Membership.objects.filter(agent=agent, is_active=True).values_list("account_id", flat=True)
    )
    for account_id in seats or [None]:
        audit("auth.signed_in", account=account_id, actor=agent, obj=agent, ip=ip)


def record_sign_in_failed(email: str, *, ip: str | None = None, limited: bool = False) -> None:
    """Audit a failed (or rate-limited) sign-in. The password is never recorded."""
    agent = Agent.objects.filter(email=email.strip().lower()).first()
    seats: list[int | None] = list(
        Membership.objects.filter(agent=agent, is_active=True).values_list("account_id", flat=True)
    ) if agent else []
    for account_id in seats or [None]:
        audit("auth.sign_in_failed", account=account_id, actor=agent, ip=ip,
              email=email[:254], rate_limited=limited)


def record_signed_out(agent: Agent, *, ip: str | None = None) -> None:
    """Audit a sign-out (after the session was flushed) and close that session's sockets."""
    audit("auth.signed_out", account=None, actor=agent, obj=agent, ip=ip)
    recheck_sockets_on_commit(agent.pk)


def record_password_reset(event: str, *, email: str = "", agent: Agent | None = None,
                          ip: str | None = None) -> None:
    """Audit a password reset being requested or completed (`event`: requested|completed)."""
    if agent is None and email:
        agent = Agent.objects.filter(email=email.strip().lower()).first()
    audit(f"auth.password_reset_{event}", account=None, actor=agent, obj=agent, ip=ip,
          email=email[:254])


def _invitation_link(raw: str) -> str:
    from django.urls import reverse

    return settings.BASE_URL + reverse("accounts:invite", args=[raw])


@transaction.atomic
def invite_member(
    account: Account, email: str, *, role: str = Role.AGENT, by: Agent
) -> tuple[Invitation, str]:
    """Create an expiring, single-use invitation and email its link after commit.

    Returns the row and the raw token (only its hash is stored).
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.template.loader import render_to_string

    from storedesk.accounts.tasks import send_email
    from storedesk.core.oncommit import enqueue_on_commit

    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ActionError(gettext_noop("That is not a valid email address.")) from exc
    if role not in Role.values or role == Role.OWNER:
        raise ActionError(f"Invitations cannot give the role {role!r}.")
    if Membership.objects.filter(account=account, agent__email=email, is_active=True).exists():
        raise ActionError(gettext_noop("That person is already an active member of this account."))
    now = timezone.now()
    Invitation.objects.filter(
        account=account, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        account=account, email=email, role=role, token_hash=hash_token(raw), invited_by=by,
        expires_at=now + timedelta(days=INVITATION_TTL_DAYS),
    )
    context = {"account": account, "inviter": by, "link": _invitation_link(raw),
               "days": INVITATION_TTL_DAYS, "role": invitation.get_role_display()}
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    body = render_to_string("accounts/email/invitation.txt", context)
    enqueue_on_commit(send_email, subject, body, email)
    audit("invitation.sent", account=account, actor=by, obj=invitation, email=email, role=role)
    return invitation, raw


def find_invitation(raw: str) -> Invitation | None:
    """The invitation behind a raw token (any state), or None."""
    if not raw:
        return None
    return Invitation.objects.select_related("account").filter(token_hash=hash_token(raw)).first()


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why an invitation cannot be used, or None when it can."""
    if invitation is None or invitation.revoked_at is not None:
        return gettext_noop("This invitation link is not valid. Ask for a new one.")
    if invitation.accepted_at is not None:
        return gettext_noop("This invitation has already been used. Sign in instead.")
    if invitation.expires_at <= timezone.now():
        return gettext_noop("This invitation has expired. Ask for a new one.")
    return None


@transaction.atomic
def accept_invitation(
    raw: str, *, password: str, name: str = "", ip: str | None = None
) -> Membership:
    """Turn an invitation into a seat; single-use, also under concurrent clicks."""
    found = find_invitation(raw)
    invitation = (
        Invitation.objects.select_for_update().filter(pk=found.pk).first() if found else None
    )
    problem = invitation_problem(invitation)
    if problem is not None:
        raise ActionError(problem)
    assert invitation is not None
    existing = Agent.objects.filter(email=invitation.email).first()
    if existing is not None and not existing.check_password(password):
        raise ActionError(gettext_noop("That is not your current password."))
    membership = add_member(
        invitation.account, invitation.email, role=invitation.role, name=name.strip()[:200],
        password=password, by=invitation.invited_by,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit("invitation.accepted", account=invitation.account_id, actor=membership.agent,
          obj=invitation, ip=ip, email=invitation.email, role=invitation.role)
    return membership


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: Agent) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit("invitation.revoked", account=invitation.account_id, actor=by, obj=invitation,
              email=invitation.email)
    return invitation


@transaction.atomic
def update_profile(agent: Agent, *, name: str, language: str) -> Agent:
    codes = {code for code, _ in settings.LANGUAGES}
    if language not in codes:
        raise ActionError(f"Unknown language {language!r}.")
    name = name.strip()[:200]
    if not name:
        raise ActionError(gettext_noop("Your name cannot be empty."))
    old = {"name": agent.name, "language": agent.language}
    agent.name, agent.language = name, language
    agent.save(update_fields=["name", "language"])
    audit("agent.profile_updated", account=None, actor=agent, obj=agent, old=old,
          new={"name": name, "language": language})
    return agent


LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


@transaction.atomic
def set_account_languages(account: Account, languages: list[str], *, by: Agent) -> Account:
    cleaned: list[str] = []
    for code in languages:
        code = code.strip().lower()
        if not LANGUAGE_CODE_RE.match(code):
            raise ActionError(f"{code!r} is not a language code.")
        if code not in cleaned:
            cleaned.append(code)
    if not cleaned:
        raise ActionError(gettext_noop("Pick at least one language."))
    old = list(account.languages)
    account.languages = cleaned
    account.save(update_fields=["languages", "updated_at"])
    audit("account.languages_set", account=account, actor=by, obj=account, old=old, new=cleaned)
    return account


@transaction.atomic
def rename_account(account: Account, name: str, *, by: Agent) -> Account:
    name = name.strip()[:200]
    if not name:
        raise ActionError(gettext_noop("The account needs a name."))
    if name != account.name:
        old = account.name
        account.name = name
        account.save(update_fields=["name", "updated_at"])
        audit("account.renamed", account=account, actor=by, obj=account, old=old, new=name)
    return account


@transaction.atomic
def update_account_settings(
    account: Account, *, name: str, languages: list[str], by: Agent
) -> Account:
    """The account page: its name and the languages its shoppers write in."""
    rename_account(account, name, by=by)
    return set_account_languages(account, languages, by=by)


@transaction.atomic
def set_password(agent: Agent, password: str, *, by: Agent | None = None,
                 account: Account | None = None) -> Agent:
    """Set an agent's password (and reactivate the login); audited, the password never logged."""
    agent.set_password(password)
    agent.is_active = True
    agent.save(update_fields=["password", "is_active"])
    audit("agent.password_set", account=account, actor=by, obj=agent, email=agent.email)
    return agent
