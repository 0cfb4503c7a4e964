"""Template helpers for the shell: the signed-in agent's seats (account switcher)."""

from __future__ import annotations

from typing import Any

from django import template

from storedesk.accounts.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def account_seats(context: dict[str, Any]) -> list[Membership]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from storedesk.accounts.queries import memberships_of

    return memberships_of(user.pk)
