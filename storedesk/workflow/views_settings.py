"""Settings pages of the workflow (admins and owners; everyone else gets a 404): SLA policies
(list, create, edit, delete), business hours (the account's and each team's), automation
rules, routing (auto-assignment pools; agents' capacity, skills and availability).
Access -> parse -> one action -> redirect with a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from storedesk.accounts.actor import Actor
from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Agent, Membership, Team
from storedesk.core.errors import ActionError, NotFound
from storedesk.workflow import actions_routing, actions_rules, actions_sla, queries, routing
from storedesk.workflow.forms_rules import RuleForm
from storedesk.workflow.forms_settings import (
    BusinessHoursForm,
    PoolForm,
    ProfileForm,
    SlaPolicyForm,
)
from storedesk.workflow.models import (
    AgentProfile,
    AssignmentPool,
    AutomationRule,
    BusinessHours,
    SlaPolicy,
)
from storedesk.workflow.sla import DEFAULT_WEEKLY, ensure_defaults


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def _policy(request: HttpRequest, policy_id: int) -> SlaPolicy:
    try:
        return queries.get_sla_policy(_member(request), policy_id)
    except NotFound as exc:
        raise Http404 from exc


def _page(request: HttpRequest, template: str, section: str, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": section, **context},
                  status=status)


# --- SLA policies ----------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET"])
def sla_policies(request: HttpRequest) -> HttpResponse:
    return _page(request, "workflow/settings/sla_policies.html", "sla",
                 {"policies": queries.sla_policies(_member(request))})


@admin_required
@require_http_methods(["GET", "POST"])
def sla_policy_create(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = SlaPolicyForm(request.POST or None, stores=queries.stores_of(member))
    if request.method == "POST" and form.is_valid():
        try:
            actions_sla.create_sla_policy(member.account, form.spec(), by=_agent(request))
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("SLA policy created."))
            return redirect("workflow_settings:sla_policies")
    return _page(request, "workflow/settings/sla_policy_form.html", "sla",
                 {"form": form, "policy": None}, status=400 if form.errors else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def sla_policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    member = _member(request)
    policy = _policy(request, policy_id)
    form = SlaPolicyForm(request.POST or None, stores=queries.stores_of(member),
                         initial=SlaPolicyForm.initial_for(policy))
    if request.method == "POST" and form.is_valid():
        try:
            actions_sla.update_sla_policy(policy, form.spec(), by=_agent(request))
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("workflow_settings:sla_policies")
    return _page(request, "workflow/settings/sla_policy_form.html", "sla",
                 {"form": form, "policy": policy}, status=400 if form.errors else 200)


@admin_required
@require_POST
def sla_policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = _policy(request, policy_id)
    actions_sla.delete_sla_policy(policy, by=_agent(request))
    messages.success(request, _("SLA policy deleted."))
    return redirect("workflow_settings:sla_policies")


# --- Business hours ----------------------------------------------------------------------------


def _team(member: Membership, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(account_id=member.account_id, pk=team_id).first()
    if team is None:
        raise Http404
    return team


@admin_required
@require_http_methods(["GET", "POST"])
def business_hours(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    member = _member(request)
    ensure_defaults(member.account_id)
    team = _team(member, team_id)
    row = BusinessHours.objects.filter(account_id=member.account_id, team=team).first()
    initial = BusinessHoursForm.initial_for(
        row.zone if row else member.account.timezone,
        row.weekly if row else DEFAULT_WEEKLY, row.holidays if row else [])
    form = BusinessHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions_sla.set_business_hours(
                member.account, zone=form.cleaned_data["zone"], weekly=form.weekly(),
                holidays=form.holiday_list(), team=team, by=_agent(request))
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Business hours saved."))
            if team is None:
                return redirect("workflow_settings:business_hours")
            return redirect("workflow_settings:team_hours", team_id=team.pk)
    teams = Team.objects.filter(account_id=member.account_id).order_by("name")
    own = set(queries.business_hours(member).exclude(team=None).values_list("team_id", flat=True))
    return _page(request, "workflow/settings/business_hours.html", "hours",
                 {"form": form, "team": team, "teams": teams, "teams_with_hours": own,
                  "has_row": row is not None}, status=400 if form.errors else 200)


@admin_required
@require_POST
def team_hours_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(_member(request), team_id)
    assert team is not None
    actions_sla.delete_team_hours(team, by=_agent(request))
    messages.success(request, _("The team works the account's hours again."))
    return redirect("workflow_settings:business_hours")


# --- Automation rules ------------------------------------------------------------------------


def _rule_form(request: HttpRequest, **kwargs: Any) -> RuleForm:
    choices = queries.action_choices(_member(request).account_id)
    return RuleForm(request.POST or None, **choices, **kwargs)


def _rule(request: HttpRequest, rule_id: int) -> AutomationRule:
    try:
        return queries.get_rule(_member(request), rule_id)
    except NotFound as exc:
        raise Http404 from exc


@admin_required
@require_http_methods(["GET"])
def rules(request: HttpRequest) -> HttpResponse:
    return _page(request, "workflow/settings/rules.html", "rules",
                 {"rules": queries.automation_rules(_member(request))})


@admin_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    form = _rule_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            actions_rules.create_rule(_member(request).account, form.spec(), by=_agent(request))
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Rule created."))
            return redirect("workflow_settings:rules")
    return _page(request, "workflow/settings/rule_form.html", "rules",
                 {"form": form, "rule": None}, status=400 if form.errors else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(request, rule_id)
    form = _rule_form(request, initial=RuleForm.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        try:
            actions_rules.update_rule(rule, form.spec(), by=_agent(request))
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Rule saved."))
            return redirect("workflow_settings:rules")
    return _page(request, "workflow/settings/rule_form.html", "rules",
                 {"form": form, "rule": rule}, status=400 if form.errors else 200)


@admin_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    actions_rules.delete_rule(_rule(request, rule_id), by=_agent(request))
    messages.success(request, _("Rule deleted."))
    return redirect("workflow_settings:rules")


# --- Routing --------------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def routing_page(request: HttpRequest) -> HttpResponse:
    """Assignment pools (create/replace with POST) and the agents' routing profiles."""
    member = _member(request)
    account_id = member.account_id
    form = PoolForm(request.POST or None, account_id=account_id)
    if request.method == "POST" and form.is_valid():
        try:
            actions_routing.save_pool(member.account, by=_agent(request), **form.pool_values())
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Auto-assignment saved."))
            return redirect("workflow_settings:routing")
    pools = AssignmentPool.objects.filter(account_id=account_id).select_related("inbox", "team")
    seats = Membership.objects.select_related("agent").filter(
        account_id=account_id, is_active=True).order_by("agent__name")
    profiles = {p.membership_id: p for p in AgentProfile.objects.filter(account_id=account_id)}
    rows = [(seat, profiles.get(seat.pk)) for seat in seats]
    return _page(request, "workflow/settings/routing.html", "routing",
                 {"form": form, "pools": pools.order_by("pk"), "rows": rows},
                 status=400 if form.errors else 200)


@admin_required
@require_POST
def pool_delete(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = AssignmentPool.objects.filter(account_id=_member(request).account_id,
                                         pk=pool_id).first()
    if pool is None:
        raise Http404
    actions_routing.delete_pool(pool, by=_agent(request))
    messages.success(request, _("Auto-assignment removed."))
    return redirect("workflow_settings:routing")


@admin_required
@require_POST
def profile_save(request: HttpRequest, membership_id: int) -> HttpResponse:
    member = _member(request)
    seat = Membership.objects.filter(account_id=member.account_id, pk=membership_id).first()
    if seat is None:
        raise Http404
    form = ProfileForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("workflow_settings:routing")
    try:
        actions_routing.update_profile(
            seat, capacity=form.cleaned_data.get("capacity"),
            languages=form.split("languages"), channels=form.split("channels"),
            by=_agent(request))
        routing.set_availability(seat, form.cleaned_data["availability"], Actor.agent(member))
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        messages.success(request, _("Saved."))
    return redirect("workflow_settings:routing")
