"""The conversation pane: thread, composer, header controls, delivery retry, attachments.

Every view: access helper first (404 outside the account or a light agent's teams), parse with
a form, call one action, render a partial. Mutations are POST only and CSRF protected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.actor import Actor
from storedesk.accounts.decorators import member_required
from storedesk.core.errors import ActionError, NotFound
from storedesk.inbox import actions
from storedesk.inbox.models import Conversation, Status
from storedesk.inbox.queries import (
    conversation_messages,
    get_attachment,
    get_conversation_by_display_id,
)
from storedesk.workspace import images
from storedesk.workspace.access import (
    controls_context,
    conversation_or_404,
    membership_of,
    thread_context,
)
from storedesk.workspace.forms_conversation import (
    AssignForm,
    PriorityForm,
    StatusForm,
    TagForm,
)
from storedesk.workspace.slots import render_sidebar_panels, render_thread_footers
from storedesk.workspace.timeline import thread_items
from storedesk.workspace.views_composer import composer_context

# --- Access and context ---------------------------------------------------------------------


_membership = membership_of
_conversation = conversation_or_404
_controls_context = controls_context
_thread_context = thread_context


def pane_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    membership = _membership(request)
    context = _controls_context(membership, conversation)
    context.update(composer_context(request, conversation))
    context["thread"] = thread_items(membership, conversation)
    context["thread_footers"] = render_thread_footers(request, conversation)
    context["sidebar_panels"] = render_sidebar_panels(request, conversation)
    context["in_workspace"] = True
    return context


# --- Pages and partials (GET) ---------------------------------------------------------------


@member_required
@require_GET
def conversation(request: HttpRequest, display_id: int) -> HttpResponse:
    """The conversation: the pane alone for htmx, else the whole workspace around it."""
    found = _conversation(request, display_id)
    context = pane_context(request, found)
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, "workspace/_conversation_pane.html", context)
    else:
        from storedesk.workspace.listing import list_context

        context.update(list_context(request))
        context["current_conversation"] = found
        response = render(request, "workspace/conversation.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@member_required
@require_GET
def thread(request: HttpRequest, display_id: int) -> HttpResponse:
    """The thread alone; the page re-fetches it when a realtime event names this conversation."""
    found = _conversation(request, display_id)
    return render(request, "workspace/_thread.html", _thread_context(request, found))


@member_required
@require_GET
def header(request: HttpRequest, display_id: int) -> HttpResponse:
    found = _conversation(request, display_id)
    context = _controls_context(_membership(request), found)
    return render(request, "workspace/_conversation_header.html", context)


@member_required
@require_GET
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """A safe download, for anyone who may see the attachment's conversation."""
    from storedesk.inbox.downloads import attachment_response

    membership = _membership(request)
    try:
        found = get_attachment(membership, attachment_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    return attachment_response(found)


def attachment_image(
    request: HttpRequest, attachment_id: int, token: str
) -> HttpResponse | FileResponse:
    """An image attachment shown inline (thumbnails, an email's cid: images); see images.py.

    The signed token names the agent (the sandboxed email view sends no session cookie); the
    agent must still be active and see the conversation, like for the download."""
    from storedesk.accounts.models import Membership
    from storedesk.inbox.downloads import attachment_response
    from storedesk.inbox.storage import attachment_path

    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    membership_id = images.read_token(token, attachment_id)
    membership = (
        Membership.objects.filter(pk=membership_id, is_active=True, agent__is_active=True)
        .select_related("agent").first() if membership_id else None
    )
    if membership is None:
        raise Http404("Image not found.")
    try:
        found = get_attachment(membership, attachment_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    content_type = (found.content_type or "").lower()
    if not images.is_image(found):
        raise Http404("Not an image.")
    try:
        with attachment_path(found.storage_key).open("rb") as handle:
            head = handle.read(16)
    except (OSError, ValueError) as exc:
        raise Http404("Attachment file not found.") from exc
    if not images.looks_like(content_type, head):
        raise Http404("Not an image.")
    response = attachment_response(found)
    response["Content-Type"] = content_type
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    # No Cross-Origin-Resource-Policy: the sandboxed email view has an opaque origin, and
    # "same-origin" would block its images; the token is what grants access.
    return response


@member_required
@require_POST
def mark_read(request: HttpRequest, display_id: int) -> HttpResponse:
    """Sent by the page when the agent opens the conversation (GET itself changes nothing)."""
    found = _conversation(request, display_id)
    actions.mark_read(found, Actor.agent(_membership(request)))
    return HttpResponse(status=204)


@member_required
@require_POST
def retry(request: HttpRequest, display_id: int, message_id: int) -> HttpResponse:
    membership = _membership(request)
    found = _conversation(request, display_id)
    message = conversation_messages(membership, found).filter(pk=message_id).first()
    if message is None:
        raise Http404("Message not found.")
    error = ""
    status = 200
    try:
        actions.retry_delivery(message, Actor.agent(membership))
    except ActionError as exc:
        error, status = exc.detail, 400
    message = conversation_messages(membership, found).get(pk=message_id)
    images.prepare(membership, [message])
    context = {"conversation": found, "m": message, "message_error": error}
    return render(request, "workspace/_message.html", context, status=status)


# --- Header controls (POST) -----------------------------------------------------------------


def _header_response(
    request: HttpRequest, display_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    membership = _membership(request)
    try:
        found = get_conversation_by_display_id(membership, display_id)
    except NotFound:
        # The change moved it out of this agent's view (a light agent gave it to another team).
        response = HttpResponse(
            format_html(
                '<p class="conv-gone">{}</p>', _("This conversation is no longer in your view.")
            )
        )
        response["HX-Retarget"] = "#conversation-pane"
        response["HX-Reswap"] = "innerHTML"
        return response
    context = _controls_context(membership, found)
    context["header_error"] = error
    if status == 200:
        context.update(_thread_context(request, found))
        context["thread_oob"] = True
    return render(request, "workspace/_conversation_header.html", context, status=status)


def _header_action(
    request: HttpRequest, display_id: int, form: Any, act: Callable[[Conversation, Actor], Any]
) -> HttpResponse:
    """Access -> parse -> one action -> the header partial (errors inline, status 400)."""
    found = _conversation(request, display_id)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _header_response(request, display_id, error=error, status=400)
    try:
        act(found, Actor.agent(_membership(request)))
    except ActionError as exc:
        return _header_response(request, display_id, error=exc.detail, status=400)
    return _header_response(request, display_id)


@member_required
@require_POST
def assign(request: HttpRequest, display_id: int) -> HttpResponse:
    form = AssignForm(request.POST, account_id=_membership(request).account_id)
    return _header_action(request, display_id, form, lambda c, actor: actions.assign(
        c, actor, assignee=form.cleaned_data["assignee"], team=form.cleaned_data["team"],
        set_team=form.sets_team,
    ))


@member_required
@require_POST
def change_status(request: HttpRequest, display_id: int) -> HttpResponse:
    form = StatusForm(request.POST, account_timezone=_membership(request).account.timezone)
    response = _header_action(request, display_id, form, lambda c, actor: actions.change_status(
        c, actor, form.cleaned_data["status"], snoozed_until=form.cleaned_data["snoozed_until"],
    ))
    if response.status_code == 200 and form.cleaned_data.get("status") in (
        Status.RESOLVED, Status.SNOOZED
    ):
        # The page opens the next conversation of the list being shown.
        response["HX-Trigger"] = json.dumps({"storedesk:resolved": {"display_id": display_id}})
    return response


@member_required
@require_POST
def set_priority(request: HttpRequest, display_id: int) -> HttpResponse:
    form = PriorityForm(request.POST)
    return _header_action(request, display_id, form, lambda c, actor: actions.set_priority(
        c, actor, form.cleaned_data["priority"]
    ))


@member_required
@require_POST
def add_tag(request: HttpRequest, display_id: int) -> HttpResponse:
    form = TagForm(request.POST)
    return _header_action(
        request, display_id, form, lambda c, actor: actions.tag(c, actor, form.cleaned_data["name"])
    )


@member_required
@require_POST
def remove_tag(request: HttpRequest, display_id: int) -> HttpResponse:
    form = TagForm(request.POST)
    return _header_action(
        request, display_id, form,
        lambda c, actor: actions.untag(c, actor, form.cleaned_data["name"]),
    )
