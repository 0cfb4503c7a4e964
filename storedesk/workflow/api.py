"""REST API of the workflow: SLA policies and automation rules.

- ``GET /sla/policies`` (every agent), ``POST /sla/policies`` (admins; 201);
- ``GET /sla/policies/{id}``, ``PUT /sla/policies/{id}`` (admins), ``DELETE`` (admins; 204).

- ``POST /routing/agents/{membership_id}/availability``: an agent goes online or away (their
  own, or anyone's for admins; away hands their open auto-assigned conversations to others);
- ``GET|POST /escalation-plans``, ``GET|PUT|DELETE /escalation-plans/{id}`` (the same roles);
- ``GET|POST /rules``, ``GET|PUT|DELETE /rules/{id}`` (the same roles).

Each conversation in the inbox's API carries `sla` (registered in workflow/apps.py).
Another account's policy is a 404; an agent who is not an admin gets 403 on writes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Agent, Membership
from storedesk.accounts.permissions import Perm, require
from storedesk.inbox.queries import get_membership
from storedesk.workflow import actions_rules, actions_sla, queries, routing
from storedesk.workflow.rules import RuleSpec
from storedesk.workflow.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    EscalationPlanIn,
    EscalationPlanOut,
    RuleIn,
    RuleOut,
    SlaPolicyIn,
    SlaPolicyOut,
)

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


# --- Automation rules ----------------------------------------------------------------------------


def _rule_spec(payload: RuleIn) -> RuleSpec:
    data = payload.dict()
    return RuleSpec(**data)


@router.get("/rules", response=list[RuleOut], url_name="rules")
def list_rules(request: HttpRequest) -> Any:
    """The account's automation rules in the order they run."""
    return list(queries.automation_rules(_member(request)))


@router.post("/rules", response={201: RuleOut}, url_name="rule_create")
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    member = _member(request)
    require(member, Perm.MANAGE_SETTINGS)
    return Status(201, actions_rules.create_rule(member.account, _rule_spec(payload),
                                                 by=_agent(member)))


@router.get("/rules/{rule_id}", response=RuleOut, url_name="rule")
def get_rule(request: HttpRequest, rule_id: int) -> Any:
    return queries.get_rule(_member(request), rule_id)


@router.put("/rules/{rule_id}", response=RuleOut, url_name="rule_update")
def update_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> Any:
    member = _member(request)
    rule = queries.get_rule(member, rule_id)
    require(member, Perm.MANAGE_SETTINGS)
    return actions_rules.update_rule(rule, _rule_spec(payload), by=_agent(member))


@router.delete("/rules/{rule_id}", response={204: None}, url_name="rule_delete")
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    member = _member(request)
    rule = queries.get_rule(member, rule_id)
    require(member, Perm.MANAGE_SETTINGS)
    actions_rules.delete_rule(rule, by=_agent(member))
    return Status(204, None)


# --- Routing ------------------------------------------------------------------------------------


@router.post("/routing/agents/{membership_id}/availability", response=AvailabilityOut,
             url_name="routing_availability")
def set_availability(request: HttpRequest, membership_id: int, payload: AvailabilityIn) -> Any:
    """Go online or away (yourself; admins for anyone). Away: the agent's open conversations in
    auto-assigned inboxes and teams go to the other available agents (or wait unassigned)."""
    member = _member(request)
    seat = get_membership(member, membership_id)
    if seat.pk != member.pk:
        require(member, Perm.MANAGE_SETTINGS)
    moved = routing.set_availability(seat, payload.availability, Actor.agent(member))
    return {"availability": payload.availability,
            "reassigned": [m.conversation_id for m in moved]}


# --- Escalation plans ---------------------------------------------------------------------------


def _plan_values(payload: EscalationPlanIn) -> dict[str, Any]:
    data = payload.dict()
    return {"name": data["name"], "trigger": data["trigger"],
            "trigger_value": data["trigger_value"], "steps": data["steps"],
            "is_active": data["is_active"]}


@router.get("/escalation-plans", response=list[EscalationPlanOut], url_name="escalation_plans")
def list_escalation_plans(request: HttpRequest) -> Any:
    return list(queries.escalation_plans(_member(request)))


@router.post("/escalation-plans", response={201: EscalationPlanOut},
             url_name="escalation_plan_create")
def create_escalation_plan(request: HttpRequest, payload: EscalationPlanIn) -> Any:
    member = _member(request)
    require(member, Perm.MANAGE_SETTINGS)
    return Status(201, actions_rules.save_escalation_plan(
        member.account, by=_agent(member), **_plan_values(payload)))


@router.get("/escalation-plans/{plan_id}", response=EscalationPlanOut,
            url_name="escalation_plan")
def get_escalation_plan(request: HttpRequest, plan_id: int) -> Any:
    return queries.get_escalation_plan(_member(request), plan_id)


@router.put("/escalation-plans/{plan_id}", response=EscalationPlanOut,
            url_name="escalation_plan_update")
def update_escalation_plan(request: HttpRequest, plan_id: int, payload: EscalationPlanIn) -> Any:
    member = _member(request)
    plan = queries.get_escalation_plan(member, plan_id)
    require(member, Perm.MANAGE_SETTINGS)
    return actions_rules.save_escalation_plan(member.account, plan=plan, by=_agent(member),
                                              **_plan_values(payload))


@router.delete("/escalation-plans/{plan_id}", response={204: None},
               url_name="escalation_plan_delete")
def delete_escalation_plan(request: HttpRequest, plan_id: int) -> Any:
    member = _member(request)
    plan = queries.get_escalation_plan(member, plan_id)
    require(member, Perm.MANAGE_SETTINGS)
    actions_rules.delete_escalation_plan(plan, by=_agent(member))
    return Status(204, None)
