"""The workflow part of the Lumen & Loom demo: team Poland, the rule "Polish conversations ->
team Poland" and auto-assignment on that team (called by `demo.loader.load_demo`; idempotent).
The default SLA policies and business hours come with the account's first conversation."""

from __future__ import annotations

from storedesk.accounts.actions import create_team, set_team_members
from storedesk.accounts.models import Account, Membership, Team
from storedesk.workflow import sla
from storedesk.workflow.actions_routing import save_pool
from storedesk.workflow.actions_rules import create_rule
from storedesk.workflow.models import AssignmentPool, AutomationRule
from storedesk.workflow.rules import RuleSpec

POLAND = "Poland"
POLISH_RULE = "Polish conversations → team Poland"


def load_workflow_demo(account: Account, members: dict[str, Membership]) -> None:
    sla.ensure_defaults(account.pk)
    team = Team.objects.filter(account=account, name=POLAND).first()
    if team is None:
        team = create_team(account, POLAND)
        set_team_members(team, [m for key, m in members.items() if key == "kasia"])
    if not AssignmentPool.objects.filter(account=account, team=team).exists():
        save_pool(account, inbox=None, team=team, strategy="least_open", capacity=20,
                  only_online=True)
    if not AutomationRule.objects.filter(account=account, name=POLISH_RULE).exists():
        create_rule(account, RuleSpec(
            name=POLISH_RULE, triggers=["conversation_created", "language_detected"],
            conditions=[{"field": "language", "op": "is", "value": "pl"}],
            actions=[{"type": "assign_team", "value": team.pk}]))
