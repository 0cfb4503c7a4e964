"""Reads for accounts, with the access checks every caller needs."""

from __future__ import annotations

from django.utils import timezone

from storedesk.accounts.models import ApiToken, Membership, hash_token


def membership_for_token(raw: str) -> Membership | None:
    """The active membership behind a usable bearer token, or None."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("membership__agent", "membership__account")
        .filter(token_hash=hash_token(raw))
        .first()
    )
    if token is None or not token.is_usable:
        return None
    membership = token.membership
    if not membership.is_active or not membership.agent.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        from storedesk.accounts.actions import touch_api_token

        touch_api_token(token.pk, now)
    return membership


def memberships_of(agent_id: int) -> list[Membership]:
    return list(
        Membership.objects.select_related("account")
        .filter(agent_id=agent_id, is_active=True)
        .order_by("account__name")
    )
