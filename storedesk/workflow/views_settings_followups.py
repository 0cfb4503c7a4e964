"""Settings pages of follow-ups (auto-resolve and its closing message) and playbooks
(internal articles linked to intents and tags). Admins and owners; everyone else gets a 404.
Access -> parse -> one action -> redirect with a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError, NotFound
from storedesk.workflow import actions_followups, playbooks
from storedesk.workflow.forms_followups import AutoResolveForm, PlaybookForm
from storedesk.workflow.models import Playbook


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _page(request: HttpRequest, template: str, section: str, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": section, **context},
                  status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def followups(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    row = actions_followups.followup_settings(member.account_id)
    languages = list(member.account.languages or ["en"])
    form = AutoResolveForm(request.POST or None, languages=languages,
                           initial=AutoResolveForm.initial_for(row))
    if request.method == "POST" and form.is_valid():
        try:
            actions_followups.update_followup_settings(member, form.spec())
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Follow-up settings saved."))
            return redirect("workflow_settings:followups")
    return _page(request, "workflow/settings/followups.html", "followups", {
        "form": form, "language_fields": [form[f"closing_{lang}"] for lang in languages]},
        status=400 if form.errors else 200)


def _articles(member: Membership) -> list[tuple[int, str]]:
    return playbooks.article_choices(member)


def _playbook(request: HttpRequest, playbook_id: int) -> Playbook:
    try:
        return playbooks.get_playbook(_member(request), playbook_id)
    except NotFound as exc:
        raise Http404 from exc


@admin_required
@require_http_methods(["GET"])
def playbook_list(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    return _page(request, "workflow/settings/playbooks.html", "playbooks", {
        "playbooks": list(playbooks.playbooks_of(member)),
        "has_articles": bool(_articles(member))})


@admin_required
@require_http_methods(["GET", "POST"])
def playbook_form(request: HttpRequest, playbook_id: int | None = None) -> HttpResponse:
    member = _member(request)
    playbook = _playbook(request, playbook_id) if playbook_id else None
    form = PlaybookForm(request.POST or None, articles=_articles(member),
                        initial=PlaybookForm.initial_for(playbook) if playbook else None)
    if request.method == "POST" and form.is_valid():
        try:
            if playbook is None:
                playbooks.create_playbook(member, form.spec())
            else:
                playbooks.update_playbook(playbook, member, form.spec())
        except (ActionError, NotFound) as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Playbook saved."))
            return redirect("workflow_settings:playbooks")
    return _page(request, "workflow/settings/playbook_form.html", "playbooks",
                 {"form": form, "playbook": playbook}, status=400 if form.errors else 200)


@admin_required
@require_POST
def playbook_delete(request: HttpRequest, playbook_id: int) -> HttpResponse:
    playbooks.delete_playbook(_playbook(request, playbook_id), _member(request))
    messages.success(request, _("Playbook deleted."))
    return redirect("workflow_settings:playbooks")
