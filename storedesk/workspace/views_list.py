"""The inbox list pane: the workspace home, list partials, one row, counts, bulk actions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.actions import actor_for
from storedesk.accounts.decorators import member_required
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.pagination import InvalidCursor
from storedesk.inbox import actions
from storedesk.inbox.models import Status
from storedesk.inbox.queries import get_conversation, get_membership, visible_conversations
from storedesk.workspace import listing
from storedesk.workspace.forms_list import BulkForm

NAV_KEY_RE = re.compile(r"^(view:(open|mine|unassigned|all)|(inbox|team|tag):\d{1,12})$")


@require_GET
@member_required
def home(request: HttpRequest) -> HttpResponse:
    """The workspace: list pane on the left, an empty conversation pane."""
    return _home_page(request)


def _home_page(request: HttpRequest) -> HttpResponse:
    try:
        context = listing.list_context(request)
    except InvalidCursor as exc:
        return _bad_cursor(exc)
    return render(request, "workspace/home.html", {**context, "nav": "inbox"})


def _bad_cursor(exc: InvalidCursor) -> HttpResponse:
    """A cursor we did not sign (tampered, truncated, for another sort): 400, not page one."""
    return HttpResponse(exc.detail, status=400, content_type="text/plain; charset=utf-8")


@require_GET
@member_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    """The list for htmx: the list body on a filter or view change, rows only for "Load more"."""
    if not request.htmx:  # type: ignore[attr-defined]
        return _home_page(request)
    try:
        if request.GET.get("cursor"):
            # "Load more": the next rows only, appended in place of the link
            rows = listing.list_context(request, rows_only=True)
            return render(request, "workspace/_list_rows.html", rows)
        context = listing.list_context(request)
    except InvalidCursor as exc:
        return _bad_cursor(exc)
    response = render(request, "workspace/_list_body.html", context)
    query = context["query_string"]
    response["HX-Push-Url"] = f"/?{query}" if query else "/"
    return response


@require_GET
@member_required
def conversation_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row for live updates; empty when it no longer matches the list's filters."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    try:
        get_conversation(membership, pk)
    except NotFound as error:
        raise Http404(error.detail) from error
    filters = listing.parse_filters(request.GET)
    row = listing.list_row(membership, pk, filters)
    if row is None:
        return HttpResponse("")
    return render(request, "workspace/_list_rows.html#row", {
        "c": row, "filters": filters, "conversation_url_prefix": listing.conversation_url_prefix()
    })


@require_GET
@member_required
def counts(request: HttpRequest) -> HttpResponse:
    """The nav with its counts; `nav` ("view:mine", "inbox:3"...) is the entry to mark."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    nav = request.GET.get("nav", "")
    context = {
        "nav_current": nav if NAV_KEY_RE.match(nav) else "view:open",
        **listing.nav_context(membership),
    }
    return render(request, "workspace/_view_nav.html", context)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (display_id, why)
    ignored: int = 0  # ids the agent cannot see (or that do not exist): never touched


@require_POST
@member_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected conversations, each through inbox.actions."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    form = BulkForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    try:
        result = apply_bulk(membership, form)
    except NotFound:
        return HttpResponse(_("That agent is not in this account."), status=400,
                            content_type="text/plain; charset=utf-8")
    params = QueryDict(form.cleaned_data.get("return_query") or "")
    context = listing.list_context(request, params)
    response = render(request, "workspace/_list_body.html", {**context, "bulk_result": result})
    response["HX-Trigger"] = "storedesk:counts"  # the nav refreshes its counts
    return response


def apply_bulk(membership: Membership, form: BulkForm) -> BulkResult:
    actor = actor_for(membership)
    action = form.cleaned_data["action"]
    assignee: Membership | None = None
    if action == "assign":
        choice = form.cleaned_data["assignee"]
        if choice == "me":
            assignee = membership
        elif choice != "none":
            assignee = get_membership(membership, int(choice))
    ids = form.conversation_ids
    visible = {
        c.pk: c
        for c in visible_conversations(membership).filter(pk__in=ids).order_by("pk")
    }
    result = BulkResult(ignored=len([i for i in ids if i not in visible]))
    for pk in ids:
        conversation = visible.get(pk)
        if conversation is None:
            continue
        try:
            if action == "assign":
                actions.assign(conversation, actor, assignee=assignee)
            elif action == "close":
                actions.change_status(conversation, actor, Status.RESOLVED)
            else:
                actions.tag(conversation, actor, form.cleaned_data["tag"])
        except ActionError as error:
            result.skipped.append((conversation.display_id, error.detail))
        else:
            result.done.append(conversation.display_id)
    return result
