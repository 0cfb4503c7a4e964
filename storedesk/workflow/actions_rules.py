"""Writes of automation rules (create, update, delete): validated by `workflow.rules`, audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent
from storedesk.core.errors import ActionError
from storedesk.workflow.models import AutomationRule
from storedesk.workflow.rules import RuleSpec, clean_rule


@transaction.atomic
def create_rule(account: Account, spec: RuleSpec, *, by: Agent | None = None) -> AutomationRule:
    values = clean_rule(account.pk, spec)
    if AutomationRule.objects.filter(account=account, name=values["name"]).exists():
        raise ActionError(gettext_noop("There is already a rule with that name."))
    try:
        with transaction.atomic():
            rule = AutomationRule.objects.create(account=account, **values)
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
    for key, value in values.items():
        setattr(rule, key, value)
    rule.save()
    audit("rule.updated", account=rule.account_id, actor=by, obj=rule, name=rule.name)
    return rule


@transaction.atomic
def delete_rule(rule: AutomationRule, *, by: Agent | None = None) -> None:
    audit("rule.deleted", account=rule.account_id, actor=by, obj=rule, name=rule.name)
    rule.delete()
