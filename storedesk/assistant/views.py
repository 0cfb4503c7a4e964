"""The assistant's pages: settings (admins: per-inbox mode, what the bot may do, reply texts
per language, the account's model) and the workspace endpoints (agents: send or dismiss a
suggestion, hand a conversation back to the bot, label its intent).

Every view: access (scoped to the agent's account, 404 otherwise) → parse → one action →
redirect or partial. Mutations are POST + CSRF.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.decorators import admin_required, member_required
from storedesk.accounts.models import Membership
from storedesk.assistant import actions, queries, replies
from storedesk.assistant.actions import settings_for
from storedesk.assistant.models import Mode
from storedesk.core.errors import ActionError, NotFound
from storedesk.inbox.models import Conversation


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": "assistant", **context})


@admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    current = settings_for(membership.account_id)
    report = current.model_report or {}
    return _page(request, "assistant/settings.html", {
        "inboxes": queries.inbox_modes(membership),
        "modes": Mode.choices,
        "current": current,
        "report": report,
        "per_language": sorted((report.get("per_language") or {}).items()),
        "labelled": len(queries.labelled_examples(membership.account_id)),
        "languages": replies.LANGUAGES,
    })


@admin_required
@require_POST
def inbox_mode(request: HttpRequest, inbox_id: int) -> HttpResponse:
    membership = _membership(request)
    try:
        inbox = queries.get_inbox(membership, inbox_id)
    except NotFound as exc:
        raise Http404 from exc
    try:
        actions.set_inbox_mode(inbox, request.POST.get("mode", ""), by=membership)
        messages.success(request, _("Saved."))
    except ActionError as exc:
        messages.error(request, exc.detail)
    return redirect("assistant:index")


@admin_required
@require_POST
def permissions(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    actions.set_permissions(membership.account_id,
                            may_cancel=request.POST.get("may_cancel") == "on",
                            may_start_returns=request.POST.get("may_start_returns") == "on",
                            may_change_address=request.POST.get("may_change_address") == "on",
                            may_change_items=request.POST.get("may_change_items") == "on",
                            by=membership)
    messages.success(request, _("Saved."))
    return redirect("assistant:index")


@admin_required
def reply_texts(request: HttpRequest, language: str) -> HttpResponse:
    """Every reply with its shipped text and the account's override, for one language."""
    membership = _membership(request)
    if language not in replies.LANGUAGES:
        raise Http404
    if request.method == "POST":
        key = request.POST.get("key", "")
        try:
            actions.set_reply_override(membership.account_id, key, language,
                                       request.POST.get("text", ""), by=membership)
            messages.success(request, _("Saved."))
        except ActionError as exc:
            messages.error(request, exc.detail)
        return redirect(reverse("assistant:replies", args=[language]) + f"#reply-{key}")
    current = settings_for(membership.account_id)
    overrides = current.reply_overrides or {}
    rows = [{"key": key, "default": replies.default_text(key, language),
             "custom": ((overrides.get(key) or {}).get(language) or ""),
             "placeholders": sorted(replies.placeholders(replies.DEFAULTS[key]))}
            for key in replies.DEFAULTS]
    return _page(request, "assistant/replies.html", {
        "rows": rows, "language": language, "languages": replies.LANGUAGES})


@admin_required
@require_POST
def retrain(request: HttpRequest) -> HttpResponse:
    from storedesk.assistant.tasks import retrain_account
    from storedesk.core.oncommit import enqueue_on_commit

    membership = _membership(request)
    actions.mark_training(membership.account_id, by=membership)
    enqueue_on_commit(retrain_account, membership.account_id)
    messages.success(request, _("Training started; this page shows the result when it is "
                                "done."))
    return redirect("assistant:index")


@admin_required
@require_POST
def use_shipped(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    actions.use_shipped_model(membership.account_id, by=membership)
    messages.success(request, _("The assistant uses the shipped model again."))
    return redirect("assistant:index")


# --- Workspace endpoints --------------------------------------------------------------------


def _conversation(request: HttpRequest, display_id: int) -> Conversation:
    from storedesk.inbox.queries import get_conversation_by_display_id

    try:
        return get_conversation_by_display_id(_membership(request), display_id)
    except NotFound as exc:
        raise Http404 from exc


def _back(display_id: int) -> HttpResponse:
    return redirect("inbox:conversation", display_id=display_id)


@member_required
@require_POST
def send_suggestion(request: HttpRequest, display_id: int, suggestion_id: int) -> HttpResponse:
    conversation = _conversation(request, display_id)
    membership = _membership(request)
    try:
        suggestion = queries.get_suggestion(membership, conversation, suggestion_id)
    except NotFound as exc:
        raise Http404 from exc
    dismissed = bool(request.POST.get("dismiss"))
    error = ""
    try:
        if dismissed:
            actions.dismiss_suggestion(suggestion, membership)
        else:
            actions.send_suggestion(suggestion, membership, request.POST.get("suggestion_text"))
    except ActionError as exc:
        error = exc.detail
    if getattr(request, "htmx", False):
        return render(request, "assistant/_suggestion_done.html",
                      {"dismissed": dismissed, "error": error}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return _back(display_id)


@member_required
@require_POST
def resume(request: HttpRequest, display_id: int) -> HttpResponse:
    conversation = _conversation(request, display_id)
    try:
        actions.resume(conversation, _membership(request))
        messages.success(request, _("The assistant answers this conversation again."))
    except ActionError as exc:
        messages.error(request, exc.detail)
    return _back(display_id)


@member_required
@require_POST
def label(request: HttpRequest, display_id: int) -> HttpResponse:
    conversation = _conversation(request, display_id)
    try:
        actions.label_intent(conversation, request.POST.get("intent", ""), _membership(request))
        messages.success(request, _("Intent saved; the assistant learns from it when it is "
                                    "retrained."))
    except ActionError as exc:
        messages.error(request, exc.detail)
    return _back(display_id)
