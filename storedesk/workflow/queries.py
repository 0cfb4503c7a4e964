"""Reads for workflow objects, scoped to the actor's account."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from storedesk.accounts.models import Membership
from storedesk.core.lookup import get_or_404
from storedesk.workflow.models import (
    AutomationRule,
    BusinessHours,
    EscalationPlan,
    Macro,
    SlaPolicy,
)


def visible_macros(membership: Membership, *, language: str = "") -> QuerySet[Macro]:
    """The account's macros, by name; with `language`, those in it or in no language first."""
    qs = Macro.objects.filter(account_id=membership.account_id)
    if language:
        qs = qs.filter(Q(language="") | Q(language=language))
    return qs.order_by("name")


def get_macro(membership: Membership, macro_id: int) -> Macro:
    return get_or_404(
        Macro.objects.filter(account_id=membership.account_id), "Macro", pk=macro_id
    )


def sla_policies(membership: Membership) -> QuerySet[SlaPolicy]:
    """The account's SLA policies in the order they are tried (defaults made on first look)."""
    from storedesk.workflow.sla import ensure_defaults

    ensure_defaults(membership.account_id)
    return SlaPolicy.objects.filter(account_id=membership.account_id).order_by("position", "id")


def get_sla_policy(membership: Membership, policy_id: int) -> SlaPolicy:
    return get_or_404(
        SlaPolicy.objects.filter(account_id=membership.account_id), "SLA policy", pk=policy_id
    )


def business_hours(membership: Membership) -> QuerySet[BusinessHours]:
    return BusinessHours.objects.filter(account_id=membership.account_id).select_related("team")


def stores_of(membership: Membership) -> list[tuple[int, str]]:
    """(id, name) of the account's stores, for policy conditions (the store model is the one
    conversations point at; the workflow does not import commerce)."""
    from storedesk.inbox.models import Conversation

    model = Conversation._meta.get_field("store").related_model
    rows = model._default_manager.filter(  # type: ignore[union-attr]
        account_id=membership.account_id).order_by("name").values_list("pk", "name")
    return [(int(pk), str(name)) for pk, name in rows]


def automation_rules(membership: Membership) -> QuerySet[AutomationRule]:
    return AutomationRule.objects.filter(account_id=membership.account_id).order_by(
        "position", "id")


def get_rule(membership: Membership, rule_id: int) -> AutomationRule:
    return get_or_404(
        AutomationRule.objects.filter(account_id=membership.account_id), "Rule", pk=rule_id
    )


def escalation_plans(membership: Membership) -> QuerySet[EscalationPlan]:
    return EscalationPlan.objects.filter(account_id=membership.account_id).order_by("name")


def get_escalation_plan(membership: Membership, plan_id: int) -> EscalationPlan:
    return get_or_404(EscalationPlan.objects.filter(account_id=membership.account_id),
                      "Escalation plan", pk=plan_id)


def action_choices(account_id: int) -> dict[str, list[tuple[int, str]]]:
    """What a rule action or an escalation step may name, for the settings forms' lists."""
    from storedesk.accounts.models import Team
    from storedesk.webhooks.models import WebhookSubscription

    return {
        "teams": list(Team.objects.filter(account_id=account_id).order_by("name")
                      .values_list("pk", "name")),
        "agents": [(m.pk, m.agent.display_name) for m in Membership.objects
                   .select_related("agent").filter(account_id=account_id, is_active=True)
                   .order_by("agent__name")],
        "macros": list(Macro.objects.filter(account_id=account_id).order_by("name")
                       .values_list("pk", "name")),
        "webhooks": [(w.pk, w.description or w.url) for w in WebhookSubscription.objects
                     .filter(account_id=account_id).order_by("pk")],
    }
