"""Settings pages for admins and owners: agents, invitations, teams, the account.

Everyone else gets a 404 (admin_required). Every object is looked up inside the signed-in
agent's account (another account's id is a 404). Mutations are POST-only and CSRF-protected;
each one parses a form, calls one action, and redirects back (POST/redirect/GET) with a message.
Inboxes, macros and tags live in views_settings_channels.py.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.contrib import messages
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storedesk.accounts import actions
from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Agent, Invitation, Membership, Role, Team
from storedesk.core.errors import ActionError
from storedesk.workspace.settings.forms import (
    AccountForm,
    InviteForm,
    RoleForm,
    TeamForm,
    TeamMembersForm,
)

M = TypeVar("M", bound=Model)


def owned(request: HttpRequest, queryset: QuerySet[M], pk: int) -> M:
    """The object with this pk in the signed-in agent's account, or a 404."""
    found = queryset.filter(account_id=request.membership.account_id, pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


def agent_of(request: HttpRequest) -> Agent:
    """The signed-in agent (views here run behind admin_required)."""
    return cast(Agent, request.user)


def page(request: HttpRequest, template: str, section: str, context: dict[str, Any],
         status: int = 200) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": section, **context},
                  status=status)


def action_failed(request: HttpRequest, exc: ActionError) -> None:
    messages.error(request, _(exc.detail))


def form_failed(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("settings:agents")


# --- Agents and invitations -----------------------------------------------------------------


def _agents_context(request: HttpRequest, invite_form: InviteForm | None = None) -> dict:
    account_id = request.membership.account_id  # type: ignore[attr-defined]
    seats = (
        Membership.objects.select_related("agent").prefetch_related("teams")
        .filter(account_id=account_id).order_by("-is_active", "agent__name", "agent__email")
    )
    pending = (
        Invitation.objects.filter(account_id=account_id, accepted_at__isnull=True,
                                  revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
    )
    return {"seats": seats, "pending": pending, "invite_form": invite_form or InviteForm(),
            "role_choices": RoleForm.base_fields["role"].choices}  # type: ignore[attr-defined]


@admin_required
@require_GET
def agents(request: HttpRequest) -> HttpResponse:
    return page(request, "settings/agents.html", "agents", _agents_context(request))


@admin_required
@require_POST
def agent_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            actions.invite_member(request.membership.account, form.cleaned_data["email"],  # type: ignore[attr-defined]
                                  role=form.cleaned_data["role"], by=agent_of(request))
        except ActionError as exc:
            form.add_error("email", _(exc.detail))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {
                "email": form.cleaned_data["email"]})
            return redirect("settings:agents")
    return page(request, "settings/agents.html", "agents", _agents_context(request, form),
                status=400)


@admin_required
@require_POST
def agent_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    seat = owned(request, Membership.objects.select_related("agent"), membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        form_failed(request, form)
    elif Role.OWNER in (seat.role, form.cleaned_data["role"]) and (
        request.membership.role != Role.OWNER  # type: ignore[attr-defined]
    ):
        messages.error(request, _("Only an owner can give or take the owner role."))
    else:
        try:
            actions.set_role(seat, form.cleaned_data["role"], by=agent_of(request))
        except ActionError as exc:
            action_failed(request, exc)
        else:
            messages.success(request, _("Role of %(name)s changed.") % {
                "name": seat.agent.display_name})
    return redirect("settings:agents")


@admin_required
@require_POST
def agent_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    seat = owned(request, Membership.objects.select_related("agent"), membership_id)
    if seat.pk == request.membership.pk:  # type: ignore[attr-defined]
        messages.error(request, _("You cannot deactivate yourself."))
        return redirect("settings:agents")
    try:
        actions.deactivate_member(seat, by=agent_of(request))
    except ActionError as exc:
        action_failed(request, exc)
    else:
        messages.success(request, _("%(name)s was deactivated.") % {
            "name": seat.agent.display_name})
    return redirect("settings:agents")


@admin_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = owned(request, Invitation.objects.all(), invitation_id)
    actions.revoke_invitation(invitation, by=agent_of(request))
    messages.success(request, _("Invitation revoked."))
    return redirect("settings:agents")


# --- Teams ----------------------------------------------------------------------------------


def _teams_context(request: HttpRequest, form: TeamForm | None = None) -> dict:
    account_id = request.membership.account_id  # type: ignore[attr-defined]
    teams = Team.objects.filter(account_id=account_id).order_by("name").prefetch_related(
        Prefetch("members", queryset=Membership.objects.select_related("agent"))
    )
    rows = []
    for team in teams:
        members_form = TeamMembersForm(
            account_id=account_id, initial={"members": [m.pk for m in team.members.all()]},
            prefix=f"team-{team.pk}",
        )
        rows.append((team, members_form))
    return {"rows": rows, "form": form or TeamForm()}


@admin_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    return page(request, "settings/teams.html", "teams", _teams_context(request))


@admin_required
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            actions.create_team(request.membership.account, form.cleaned_data["name"],  # type: ignore[attr-defined]
                                by=agent_of(request))
        except ActionError as exc:
            form.add_error("name", _(exc.detail))
        else:
            messages.success(request, _("Team created."))
            return redirect("settings:teams")
    return page(request, "settings/teams.html", "teams", _teams_context(request, form),
                status=400)


@admin_required
@require_POST
def team_members(request: HttpRequest, team_id: int) -> HttpResponse:
    team = owned(request, Team.objects.all(), team_id)
    form = TeamMembersForm(request.POST, account_id=team.account_id, prefix=f"team-{team.pk}")
    if not form.is_valid():
        form_failed(request, form)
        return redirect("settings:teams")
    try:
        actions.set_team_members(team, list(form.cleaned_data["members"]), by=agent_of(request))
    except ActionError as exc:
        action_failed(request, exc)
    else:
        messages.success(request, _("Members of %(team)s saved.") % {"team": team.name})
    return redirect("settings:teams")


# --- Account --------------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    current = request.membership.account  # type: ignore[attr-defined]
    if request.method == "POST":
        form = AccountForm(request.POST)
        if form.is_valid():
            try:
                actions.update_account_settings(
                    current, name=form.cleaned_data["name"],
                    languages=form.cleaned_data["languages"], by=agent_of(request),
                )
            except ActionError as exc:
                form.add_error(None, _(exc.detail))
            else:
                messages.success(request, _("Account settings saved."))
                return redirect("settings:account")
    else:
        form = AccountForm(initial={"name": current.name, "languages": current.languages})
    return page(request, "settings/account.html", "account", {"form": form},
                status=400 if form.errors else 200)
