"""The escalation-plan form: name, trigger, and fixed rows of steps (minutes after the start +
a rule action whose value is picked from a list or typed).

It only parses; `actions_rules.save_escalation_plan` validates (the same as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.workflow.forms_rules import PICKED
from storedesk.workflow.models import EscalationPlan, EscalationTrigger
from storedesk.workflow.rules import ACTIONS

STEP_ROWS = 5


class EscalationPlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    trigger = forms.ChoiceField(label=_("Starts when"), choices=EscalationTrigger.choices)
    trigger_value = forms.CharField(label=_("Tag or intent"), required=False, max_length=64)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, picks: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(STEP_ROWS):
            self.fields[f"s{row}_after"] = forms.IntegerField(
                label=_("Minutes after the start"), required=False, min_value=0,
                max_value=366 * 24 * 60)
            self.fields[f"s{row}_type"] = forms.ChoiceField(
                label=_("Action"), required=False,
                choices=[("", "—"), *((k, a.label) for k, a in ACTIONS.items())])
            self.fields[f"s{row}_pick"] = forms.ChoiceField(label=_("Choose"), required=False,
                                                            choices=picks)
            self.fields[f"s{row}_text"] = forms.CharField(label=_("or type"), required=False,
                                                          max_length=5000)

    def step_rows(self) -> list[tuple[Any, Any, Any, Any]]:
        return [(self[f"s{r}_after"], self[f"s{r}_type"], self[f"s{r}_pick"], self[f"s{r}_text"])
                for r in range(STEP_ROWS)]

    def plan_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        steps = []
        for r in range(STEP_ROWS):
            kind = data.get(f"s{r}_type")
            if not kind:
                continue
            value: Any = data.get(f"s{r}_text") or ""
            if kind in PICKED:
                prefix, _sep, picked = str(data.get(f"s{r}_pick") or "").partition(":")
                value = picked if prefix == PICKED[kind] else ""
            steps.append({"after_minutes": data.get(f"s{r}_after") or 0, "type": kind,
                          "value": value})
        return {"name": data["name"], "trigger": data["trigger"],
                "trigger_value": data.get("trigger_value") or "", "steps": steps,
                "is_active": bool(data.get("is_active"))}

    @staticmethod
    def initial_for(plan: EscalationPlan) -> dict[str, Any]:
        initial: dict[str, Any] = {"name": plan.name, "trigger": plan.trigger,
                                   "trigger_value": plan.trigger_value,
                                   "is_active": plan.is_active}
        for r, step in enumerate(plan.steps[:STEP_ROWS]):
            initial[f"s{r}_after"] = step.get("after_minutes", 0)
            initial[f"s{r}_type"] = step.get("type")
            if step.get("type") in PICKED:
                initial[f"s{r}_pick"] = f"{PICKED[step['type']]}:{step.get('value')}"
            else:
                initial[f"s{r}_text"] = step.get("value")
        return initial
