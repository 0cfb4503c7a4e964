"""REST API of the workflow: SLA policies.

- ``GET /sla/policies`` (every agent), ``POST /sla/policies`` (admins; 201);
- ``GET /sla/policies/{id}``, ``PUT /sla/policies/{id}`` (admins), ``DELETE`` (admins; 204).

Each conversation in the inbox's API carries `sla` (registered in workflow/apps.py).
Another account's policy is a 404; an agent who is not an admin gets 403 on writes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from storedesk.accounts.models import Agent, Membership
from storedesk.accounts.permissions import Perm, require
from storedesk.workflow import actions_sla, queries
from storedesk.workflow.schemas import SlaPolicyIn, SlaPolicyOut

router = Router(tags=["workflow"])


def _member(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _agent(member: Membership) -> Agent:
    return member.agent


def _spec(payload: SlaPolicyIn) -> actions_sla.PolicySpec:
    return actions_sla.PolicySpec(**payload.dict())


@router.get("/sla/policies", response=list[SlaPolicyOut], url_name="sla_policies")
def list_policies(request: HttpRequest) -> Any:
    """The account's SLA policies in the order they are tried (the first match applies)."""
    return list(queries.sla_policies(_member(request)))


@router.post("/sla/policies", response={201: SlaPolicyOut}, url_name="sla_policy_create")
def create_policy(request: HttpRequest, payload: SlaPolicyIn) -> Any:
    member = _member(request)
    require(member, Perm.MANAGE_SETTINGS)
    policy = actions_sla.create_sla_policy(member.account, _spec(payload), by=_agent(member))
    return Status(201, policy)


@router.get("/sla/policies/{policy_id}", response=SlaPolicyOut, url_name="sla_policy")
def get_policy(request: HttpRequest, policy_id: int) -> Any:
    return queries.get_sla_policy(_member(request), policy_id)


@router.put("/sla/policies/{policy_id}", response=SlaPolicyOut, url_name="sla_policy_update")
def update_policy(request: HttpRequest, policy_id: int, payload: SlaPolicyIn) -> Any:
    member = _member(request)
    policy = queries.get_sla_policy(member, policy_id)
    require(member, Perm.MANAGE_SETTINGS)
    return actions_sla.update_sla_policy(policy, _spec(payload), by=_agent(member))


@router.delete("/sla/policies/{policy_id}", response={204: None}, url_name="sla_policy_delete")
def delete_policy(request: HttpRequest, policy_id: int) -> Any:
    member = _member(request)
    policy = queries.get_sla_policy(member, policy_id)
    require(member, Perm.MANAGE_SETTINGS)
    actions_sla.delete_sla_policy(policy, by=_agent(member))
    return Status(204, None)
