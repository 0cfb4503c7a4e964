"""Writes of automation rules and escalation plans: validated by `workflow.rules` (the same
registry of actions), audited."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent
from storedesk.core.errors import ActionError
from storedesk.workflow.models import AutomationRule, EscalationPlan, EscalationTrigger
from storedesk.workflow.rules import RuleSpec, clean_rule


@transaction.atomic
def create_rule(account: Account, spec: RuleSpec, *, by: Agent | None = None) -> AutomationRule:
    values = clean_rule(account.pk, spec)
    if AutomationRule.objects.filter(account=account, name=values["name"]).exists():
        raise ActionError(gettext_noop("There is already a rule with that name."))
    rule = AutomationRule(account=account, **values)
    _schedule(rule, changed=True)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ActionError(gettext_noop("There is already a rule with that name.")) from exc
    audit("rule.created", account=account, actor=by, obj=rule, name=rule.name)
    return rule


@transaction.atomic
def update_rule(rule: AutomationRule, spec: RuleSpec, *, by: Agent | None = None
                ) -> AutomationRule:
    values = clean_rule(rule.account_id, spec)
    if AutomationRule.objects.filter(account_id=rule.account_id, name=values["name"]).exclude(
            pk=rule.pk).exists():
        raise ActionError(gettext_noop("There is already a rule with that name."))
    schedule = ("scheduled" in rule.triggers, rule.schedule_every_hours,
                rule.schedule_daily_at, rule.is_active)
    for key, value in values.items():
        setattr(rule, key, value)
    _schedule(rule, changed=schedule != ("scheduled" in rule.triggers, rule.schedule_every_hours,
                                         rule.schedule_daily_at, rule.is_active))
    rule.save()
    audit("rule.updated", account=rule.account_id, actor=by, obj=rule, name=rule.name)
    return rule


def _schedule(rule: AutomationRule, *, changed: bool) -> None:
    """A scheduled rule's first tick counts from now (a new or changed schedule)."""
    from storedesk.workflow.rules_timed import next_tick

    if "scheduled" not in rule.triggers or not rule.is_active:
        rule.next_tick_at = None
    elif changed or rule.next_tick_at is None:
        rule.next_tick_at = next_tick(rule, timezone.now())


@transaction.atomic
def delete_rule(rule: AutomationRule, *, by: Agent | None = None) -> None:
    audit("rule.deleted", account=rule.account_id, actor=by, obj=rule, name=rule.name)
    rule.delete()


@transaction.atomic
def save_escalation_plan(account: Account, *, name: str, trigger: str, trigger_value: str,
                         steps: list[dict[str, Any]], is_active: bool = True,
                         plan: EscalationPlan | None = None, by: Agent | None = None
                         ) -> EscalationPlan:
    """Create (plan=None) or replace an escalation plan, validated like rules' actions."""
    from storedesk.workflow.escalation import clean_steps

    name = name.strip()
    if not name or len(name) > 120:
        raise ActionError(gettext_noop("A plan needs a name of 1-120 characters."))
    if trigger not in EscalationTrigger.values:
        raise ActionError(gettext_noop("Unknown trigger."))
    trigger_value = trigger_value.strip().lower()
    if trigger != EscalationTrigger.SLA_BREACHED and not trigger_value:
        raise ActionError(gettext_noop("Name the tag or the intent."))
    cleaned = clean_steps(account.pk, steps)
    clash = EscalationPlan.objects.filter(account=account, name=name)
    if plan is not None:
        clash = clash.exclude(pk=plan.pk)
    if clash.exists():
        raise ActionError(gettext_noop("There is already a plan with that name."))
    plan = plan or EscalationPlan(account=account)
    plan.name, plan.trigger, plan.steps, plan.is_active = name, trigger, cleaned, is_active
    plan.trigger_value = "" if trigger == EscalationTrigger.SLA_BREACHED else trigger_value
    plan.save()
    audit("escalation_plan.saved", account=account, actor=by, obj=plan, name=name)
    return plan


@transaction.atomic
def delete_escalation_plan(plan: EscalationPlan, *, by: Agent | None = None) -> None:
    audit("escalation_plan.deleted", account=plan.account_id, actor=by, obj=plan,
          name=plan.name)
    plan.delete()
