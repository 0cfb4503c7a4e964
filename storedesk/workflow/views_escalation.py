"""Settings pages for escalation plans (admins and owners; everyone else gets a 404): list,
create, edit, delete. Access -> parse -> one action (validated like the API) -> redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Agent, Membership
from storedesk.core.errors import ActionError, NotFound
from storedesk.workflow import actions_rules, queries
from storedesk.workflow.forms_escalation import EscalationPlanForm
from storedesk.workflow.forms_rules import action_picks
from storedesk.workflow.models import EscalationPlan
from storedesk.workflow.rules import ACTIONS


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def _plan(request: HttpRequest, plan_id: int) -> EscalationPlan:
    try:
        return queries.get_escalation_plan(_member(request), plan_id)
    except NotFound as exc:
        raise Http404 from exc


def _form(request: HttpRequest, **kwargs: Any) -> EscalationPlanForm:
    choices = queries.action_choices(_member(request).account_id)
    return EscalationPlanForm(request.POST or None, picks=action_picks(**choices), **kwargs)


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
          ) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": "escalation", **context},
                  status=status)


@admin_required
@require_http_methods(["GET"])
def plans(request: HttpRequest) -> HttpResponse:
    rows = [(plan, [ACTIONS[s["type"]].label if s.get("type") in ACTIONS else s.get("type")
                    for s in plan.steps])
            for plan in queries.escalation_plans(_member(request))]
    return _page(request, "workflow/settings/escalation_plans.html", {"rows": rows})


def _save(request: HttpRequest, plan: EscalationPlan | None) -> HttpResponse:
    initial = EscalationPlanForm.initial_for(plan) if plan is not None else None
    form = _form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions_rules.save_escalation_plan(_member(request).account, plan=plan,
                                               by=_agent(request), **form.plan_values())
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Escalation plan saved."))
            return redirect("workflow_settings:escalation_plans")
    return _page(request, "workflow/settings/escalation_plan_form.html",
                 {"form": form, "plan": plan}, status=400 if form.errors else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _save(request, _plan(request, plan_id))


@admin_required
@require_POST
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    actions_rules.delete_escalation_plan(_plan(request, plan_id), by=_agent(request))
    messages.success(request, _("Escalation plan deleted."))
    return redirect("workflow_settings:escalation_plans")
