"""API schemas for the token's own seat, its account's agents and teams (explicit fields)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class AccountOut(Schema):
    id: int
    name: str
    slug: str
    languages: list[str]
    timezone: str


class AgentOut(Schema):
    id: int
    name: str
    email: str
    language: str


class MeOut(Schema):
    membership_id: int
    role: str
    agent: AgentOut
    account: AccountOut

    @staticmethod
    def resolve_membership_id(obj: Any) -> int:
        return int(obj.pk)


class MemberOut(Schema):
    id: int  # the membership id: what /conversations/{id}/assign takes
    name: str
    email: str
    role: str
    is_active: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.agent.display_name)

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.agent.email)


class TeamOut(Schema):
    id: int
    name: str
    member_ids: list[int]

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[int]:
        return sorted(m.pk for m in obj.members.all())
