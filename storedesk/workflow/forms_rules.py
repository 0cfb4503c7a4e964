"""The automation-rule form: triggers, all/any, fixed rows of conditions and actions.

It only parses; `workflow.rules.clean_rule` validates (the same as the API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.inbox.models import Priority, Status
from storedesk.workflow.models import AutomationRule
from storedesk.workflow.rules import ACTIONS, CONDITIONS, TRIGGERS, RuleSpec, timing_of

CONDITION_ROWS = 4
ACTION_ROWS = 4
OPS = (("is", _("is")), ("is_not", _("is not")), ("has", _("has")), ("has_not", _("has not")),
       ("contains", _("contains")), ("not_contains", _("does not contain")),
       ("more_than", _("more than")), ("less_than", _("less than")))
# Actions whose value is picked from a list (the rest take the text box).
PICKED = {"assign_team": "team", "assign_agent": "agent", "send_macro": "macro",
          "set_priority": "priority", "set_status": "status", "notify_team": "team",
          "call_webhook": "webhook"}


def action_picks(teams: Sequence[tuple[int, str]], agents: Sequence[tuple[int, str]],
                 macros: Sequence[tuple[int, str]], webhooks: Sequence[tuple[int, str]] = (),
                 ) -> list[tuple[Any, Any]]:
    """The grouped choices an action's value is picked from ("team:3", "priority:high"...)."""
    picks: list[tuple[Any, Any]] = [("", "—")]
    picks.append((_("Teams"), [(f"team:{i}", n) for i, n in teams]))
    picks.append((_("Agents"), [(f"agent:{i}", n) for i, n in agents]))
    picks.append((_("Macros"), [(f"macro:{i}", n) for i, n in macros]))
    picks.append((_("Webhooks"), [(f"webhook:{i}", n) for i, n in webhooks]))
    picks.append((_("Priority"), [(f"priority:{v}", label) for v, label in Priority.choices]))
    picks.append((_("Status"), [(f"status:{v}", label) for v, label in Status.choices
                                if v != Status.SNOOZED]))
    return picks


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    triggers = forms.MultipleChoiceField(label=_("When"), widget=forms.CheckboxSelectMultiple)
    match_all = forms.TypedChoiceField(
        label=_("If"), coerce=lambda v: v == "all", initial="all",
        choices=(("all", _("all conditions match")), ("any", _("any condition matches"))))
    sla_lead_minutes = forms.IntegerField(
        label=_("SLA about to breach: minutes before the due time"), required=False,
        min_value=1, max_value=7 * 24 * 60)
    schedule_every_hours = forms.IntegerField(
        label=_("Scheduled: every N hours"), required=False, min_value=1, max_value=24 * 31)
    schedule_daily_at = forms.CharField(
        label=_("Scheduled: or every day at (HH:MM, the account's time zone)"), required=False,
        max_length=5)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1_000_000,
                                  initial=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, teams: list[tuple[int, str]], agents: list[tuple[int, str]],
                 macros: list[tuple[int, str]], webhooks: Sequence[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["triggers"].choices = [  # type: ignore[attr-defined]
            (k, t.label) for k, t in TRIGGERS.items()]
        picks = action_picks(teams, agents, macros, webhooks)
        for row in range(CONDITION_ROWS):
            self.fields[f"c{row}_field"] = forms.ChoiceField(
                label=_("Condition"), required=False,
                choices=[("", "—"), *((k, c.label) for k, c in CONDITIONS.items())])
            self.fields[f"c{row}_op"] = forms.ChoiceField(label=_("Comparison"),
                                                          required=False, choices=OPS)
            self.fields[f"c{row}_value"] = forms.CharField(label=_("Value"), required=False,
                                                           max_length=2000)
        for row in range(ACTION_ROWS):
            self.fields[f"a{row}_type"] = forms.ChoiceField(
                label=_("Action"), required=False,
                choices=[("", "—"), *((k, a.label) for k, a in ACTIONS.items())])
            self.fields[f"a{row}_pick"] = forms.ChoiceField(label=_("Choose"), required=False,
                                                            choices=picks)
            self.fields[f"a{row}_text"] = forms.CharField(label=_("or type"), required=False,
                                                          max_length=5000)

    @staticmethod
    def condition_help() -> list[tuple[Any, Any]]:
        return [(c.label, c.help) for c in CONDITIONS.values() if c.help]

    def condition_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"c{r}_field"], self[f"c{r}_op"], self[f"c{r}_value"])
                for r in range(CONDITION_ROWS)]

    def action_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"a{r}_type"], self[f"a{r}_pick"], self[f"a{r}_text"])
                for r in range(ACTION_ROWS)]

    def spec(self) -> RuleSpec:
        data = self.cleaned_data
        conditions = [
            {"field": data[f"c{r}_field"], "op": data.get(f"c{r}_op") or "",
             "value": data.get(f"c{r}_value") or ""}
            for r in range(CONDITION_ROWS) if data.get(f"c{r}_field")
        ]
        actions = []
        for r in range(ACTION_ROWS):
            kind = data.get(f"a{r}_type")
            if not kind:
                continue
            value: Any = data.get(f"a{r}_text") or ""
            if kind in PICKED:
                prefix, _sep, picked = str(data.get(f"a{r}_pick") or "").partition(":")
                value = picked if prefix == PICKED[kind] else ""
            actions.append({"type": kind, "value": value})
        return RuleSpec(name=data["name"], triggers=list(data["triggers"]),
                        conditions=conditions, match_all=bool(data["match_all"]),
                        actions=actions, position=data["position"],
                        is_active=bool(data.get("is_active")),
                        sla_lead_minutes=data.get("sla_lead_minutes"),
                        schedule_every_hours=data.get("schedule_every_hours"),
                        schedule_daily_at=data.get("schedule_daily_at") or None)

    @staticmethod
    def initial_for(rule: AutomationRule) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": rule.name, "triggers": rule.triggers,
            "match_all": "all" if rule.match_all else "any", "position": rule.position,
            "is_active": rule.is_active, **timing_of(rule)}
        for r, condition in enumerate(rule.conditions[:CONDITION_ROWS]):
            value = condition.get("value")
            initial[f"c{r}_field"] = condition.get("field")
            initial[f"c{r}_op"] = condition.get("op")
            initial[f"c{r}_value"] = ", ".join(value) if isinstance(value, list) else value
        for r, action in enumerate(rule.actions[:ACTION_ROWS]):
            initial[f"a{r}_type"] = action.get("type")
            if action.get("type") in PICKED:
                initial[f"a{r}_pick"] = f"{PICKED[action['type']]}:{action.get('value')}"
            else:
                initial[f"a{r}_text"] = action.get("value")
        return initial
