"""Settings pages for macros and tags. Admins and owners only.

Inbox settings live with the connectors (storedesk/connectors/settings_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.core.errors import ActionError
from storedesk.inbox import actions as inbox_actions
from storedesk.inbox.models import Tag
from storedesk.workflow import actions as workflow_actions
from storedesk.workflow.macros import cheat_sheet, unknown_variables
from storedesk.workflow.models import Macro
from storedesk.workspace.settings.forms import MacroForm, TagForm
from storedesk.workspace.settings.views import action_failed, agent_of, form_failed, owned, page

# --- Macros ---------------------------------------------------------------------------------


@admin_required
@require_GET
def macros(request: HttpRequest) -> HttpResponse:
    rows = Macro.objects.filter(account_id=request.membership.account_id).order_by("name")  # type: ignore[attr-defined]
    return page(request, "settings/macros.html", "macros", {"macros": rows})


def _macro_page(request: HttpRequest, form: MacroForm, macro: Macro | None) -> HttpResponse:
    text = form.data.get("text") if form.is_bound else (macro.text if macro else "")
    return page(request, "settings/macro_form.html", "macros", {
        "form": form, "macro": macro, "variables": cheat_sheet(),
        "unknown": unknown_variables(text or ""),
    }, status=400 if form.errors else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def macro_create(request: HttpRequest) -> HttpResponse:
    account = request.membership.account  # type: ignore[attr-defined]
    form = MacroForm(request.POST or None, languages=list(account.languages))
    if request.method == "POST" and form.is_valid():
        try:
            macro = workflow_actions.create_macro(
                account, name=form.cleaned_data["name"], text=form.cleaned_data["text"],
                language=form.cleaned_data["language"], actions=form.actions(),
                by=agent_of(request),
            )
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Macro saved."))
            return redirect("settings:macro_edit", macro_id=macro.pk)
    return _macro_page(request, form, None)


@admin_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = owned(request, Macro.objects.all(), macro_id)
    account = request.membership.account  # type: ignore[attr-defined]
    form = MacroForm(request.POST or None, languages=list(account.languages),
                     initial=MacroForm.initial_for(macro))
    if request.method == "POST" and form.is_valid():
        try:
            workflow_actions.update_macro(
                macro, name=form.cleaned_data["name"], text=form.cleaned_data["text"],
                language=form.cleaned_data["language"], actions=form.actions(),
                by=agent_of(request),
            )
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Macro saved."))
            return redirect("settings:macro_edit", macro_id=macro.pk)
    return _macro_page(request, form, macro)


@admin_required
@require_POST
def macro_delete(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = owned(request, Macro.objects.all(), macro_id)
    workflow_actions.delete_macro(macro, by=agent_of(request))
    messages.success(request, _("Macro deleted."))
    return redirect("settings:macros")


# --- Tags -----------------------------------------------------------------------------------


def _tags_page(request: HttpRequest, form: TagForm | None = None, status: int = 200):
    rows = Tag.objects.filter(account_id=request.membership.account_id).order_by("name")  # type: ignore[attr-defined]
    return page(request, "settings/tags.html", "tags",
                {"tags": rows, "form": form or TagForm()}, status=status)


@admin_required
@require_GET
def tags(request: HttpRequest) -> HttpResponse:
    return _tags_page(request)


@admin_required
@require_POST
def tag_create(request: HttpRequest) -> HttpResponse:
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            inbox_actions.create_tag(request.membership.account, form.cleaned_data["name"],  # type: ignore[attr-defined]
                                     color=form.cleaned_data["color"], by=agent_of(request))
        except ActionError as exc:
            form.add_error("name", _(exc.detail))
        else:
            messages.success(request, _("Tag created."))
            return redirect("settings:tags")
    return _tags_page(request, form, status=400)


@admin_required
@require_POST
def tag_update(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag_row = owned(request, Tag.objects.all(), tag_id)
    form = TagForm(request.POST)
    if not form.is_valid():
        form_failed(request, form)
        return redirect("settings:tags")
    try:
        inbox_actions.update_tag(tag_row, name=form.cleaned_data["name"],
                                 color=form.cleaned_data["color"], by=agent_of(request))
    except ActionError as exc:
        action_failed(request, exc)
    else:
        messages.success(request, _("Tag saved."))
    return redirect("settings:tags")


@admin_required
@require_POST
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag_row = owned(request, Tag.objects.all(), tag_id)
    inbox_actions.delete_tag(tag_row, by=agent_of(request))
    messages.success(request, _("Tag deleted."))
    return redirect("settings:tags")
