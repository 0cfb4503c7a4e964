"""REST API v1: who am I, and the agents and teams of my account (for assigning)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from storedesk.accounts.models import Membership, Team
from storedesk.accounts.schemas import MemberOut, MeOut, TeamOut

router = Router(tags=["account"])


def _member(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/me", response=MeOut, url_name="me")
def me(request: HttpRequest) -> Any:
    """The token's agent, account and role."""
    return _member(request)


@router.get("/agents", response=list[MemberOut], url_name="agents")
def list_agents(request: HttpRequest) -> Any:
    return list(
        Membership.objects.select_related("agent")
        .filter(account_id=_member(request).account_id)
        .order_by("agent__name", "pk")
    )


@router.get("/teams", response=list[TeamOut], url_name="teams")
def list_teams(request: HttpRequest) -> Any:
    return list(
        Team.objects.filter(account_id=_member(request).account_id)
        .prefetch_related("members")
        .order_by("name")
    )
