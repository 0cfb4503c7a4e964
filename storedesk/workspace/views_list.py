"""The inbox list pane: the workspace home, list partials, one row, counts, bulk actions."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.decorators import member_required
from storedesk.accounts.models import Membership
from storedesk.core.errors import NotFound
from storedesk.core.pagination import InvalidCursor
from storedesk.inbox.queries import get_conversation
from storedesk.workspace import bulk as bulk_actions
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


@require_POST
@member_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk actions: `step=preview` answers the confirmation (what will happen to which
    conversations); `step=apply` (the default) does it, each through inbox.actions, and
    answers the list with the result and an Undo button."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    form = BulkForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    try:
        if form.cleaned_data.get("step") == "preview":
            return render(request, "workspace/_bulk_confirm.html", {
                "question": bulk_actions.describe(membership, form)})
        result = bulk_actions.apply(membership, form)
    except NotFound:
        return HttpResponse(_("That agent is not in this account."), status=400,
                            content_type="text/plain; charset=utf-8")
    return _list_with_result(request, form.cleaned_data.get("return_query") or "", result)


@require_POST
@member_required
def bulk_undo(request: HttpRequest) -> HttpResponse:
    """Put the conversations of the last bulk action back as they were."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    try:
        result = bulk_actions.undo(membership, request.POST.get("undo_token", "")[:20000])
    except bulk_actions.UndoExpired:
        return HttpResponse(_("This action can no longer be undone."), status=400,
                            content_type="text/plain; charset=utf-8")
    return _list_with_result(request, request.POST.get("return_query", "")[:2000], result)


def _list_with_result(
    request: HttpRequest, return_query: str, result: bulk_actions.BulkResult
) -> HttpResponse:
    context = listing.list_context(request, QueryDict(return_query))
    response = render(request, "workspace/_list_body.html", {**context, "bulk_result": result})
    response["HX-Retarget"] = "#list-body"
    response["HX-Reswap"] = "innerHTML"
    response["HX-Trigger"] = "storedesk:counts"  # the nav refreshes its counts
    return response
