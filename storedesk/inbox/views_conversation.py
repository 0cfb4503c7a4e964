"""The conversation pane: thread, composer, header controls, delivery retry, attachments.

Every view: access helper first (404 outside the account or a light agent's teams), parse with
a form, call one action, render a partial. Mutations are POST only and CSRF protected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.actor import Actor
from storedesk.accounts.decorators import member_required
from storedesk.accounts.models import Membership, Team
from storedesk.core.errors import ActionError, NotFound
from storedesk.events.kinds import MESSAGE_KINDS, EventKind
from storedesk.events.models import Event
from storedesk.inbox import actions
from storedesk.inbox.forms_conversation import (
    AssignForm,
    ComposerForm,
    PriorityForm,
    StatusForm,
    TagForm,
)
from storedesk.inbox.models import (
    Conversation,
    Priority,
    Status,
    Tag,
)
from storedesk.inbox.queries import (
    conversation_messages,
    get_attachment,
    get_conversation_by_display_id,
)
from storedesk.inbox.transitions import TRANSITIONS

# --- Thread ---------------------------------------------------------------------------------

THREAD_LIMIT = 300


def thread_items(membership: Membership, conversation: Conversation) -> dict[str, Any]:
    """Messages (the latest THREAD_LIMIT, oldest first) interleaved with activity lines."""
    messages = list(conversation_messages(membership, conversation).reverse()[: THREAD_LIMIT + 1])
    truncated = len(messages) > THREAD_LIMIT
    messages = messages[:THREAD_LIMIT][::-1]
    events = Event.objects.filter(
        account_id=membership.account_id, conversation=conversation
    ).exclude(kind__in=MESSAGE_KINDS).select_related("actor_agent").order_by("created_at", "id")
    if truncated and messages:
        events = events.filter(created_at__gte=messages[0].created_at)
    names = _member_names(membership.account_id)
    teams = dict(Team.objects.filter(account_id=membership.account_id).values_list("pk", "name"))
    items: list[dict[str, Any]] = [
        {"at": m.created_at, "order": (0, m.pk), "message": m} for m in messages
    ]
    items += [
        {"at": e.created_at, "order": (1, e.pk), "event": e, "line": event_line(e, names, teams)}
        for e in events[:THREAD_LIMIT]
    ]
    items.sort(key=lambda item: (item["at"], item["order"]))
    return {"items": items, "truncated": truncated}


def _member_names(account_id: int) -> dict[int, str]:
    rows = Membership.objects.filter(account_id=account_id).select_related("agent")
    return {m.pk: m.agent.display_name for m in rows}


def _actor_name(event: Event) -> str:
    if event.actor_type == "agent" and event.actor_agent is not None:
        return event.actor_agent.display_name
    return {
        "bot": _("The assistant"),
        "contact": _("The customer"),
        "rule": _("An automation rule"),
    }.get(event.actor_type, _("Storedesk"))


def event_line(event: Event, names: dict[int, str], teams: dict[int, str]) -> str:
    """One activity line, in the agent's language."""
    data = event.data or {}
    who = _actor_name(event)
    statuses = dict(Status.choices)
    priorities = dict(Priority.choices)
    if event.kind == EventKind.CONVERSATION_OPENED:
        return _("Conversation started")
    if event.kind == EventKind.CONVERSATION_STATUS_CHANGED:
        new = statuses.get(str(data.get("new")), data.get("new"))
        if data.get("new") == Status.SNOOZED and data.get("snoozed_until"):
            until = parse_datetime(data["snoozed_until"])
            when = date_format(timezone.localtime(until), "DATETIME_FORMAT") if until else ""
            return _("%(who)s snoozed the conversation until %(when)s") % {
                "who": who, "when": when}
        return _("%(who)s changed the status to %(status)s") % {"who": who, "status": new}
    if event.kind == EventKind.CONVERSATION_ASSIGNED:
        parts = []
        if data.get("new_assignee") != data.get("old_assignee"):
            if data.get("new_assignee"):
                parts.append(_("%(who)s assigned the conversation to %(agent)s") % {
                    "who": who, "agent": names.get(data["new_assignee"], "?")})
            else:
                parts.append(_("%(who)s unassigned the conversation") % {"who": who})
        if data.get("new_team") != data.get("old_team"):
            if data.get("new_team"):
                parts.append(_("%(who)s moved the conversation to team %(team)s") % {
                    "who": who, "team": teams.get(data["new_team"], "?")})
            else:
                parts.append(_("%(who)s removed the team") % {"who": who})
        return "; ".join(parts) or _("%(who)s changed the assignment") % {"who": who}
    if event.kind == EventKind.CONVERSATION_PRIORITY_CHANGED:
        return _("%(who)s set the priority to %(priority)s") % {
            "who": who, "priority": priorities.get(str(data.get("new")), data.get("new"))}
    if event.kind == EventKind.CONVERSATION_TAGGED:
        return _("%(who)s added the tag %(tag)s") % {"who": who, "tag": data.get("tag", "")}
    if event.kind == EventKind.CONVERSATION_UNTAGGED:
        return _("%(who)s removed the tag %(tag)s") % {"who": who, "tag": data.get("tag", "")}
    if event.kind == EventKind.MACRO_APPLIED:
        return _("%(who)s applied the macro %(macro)s") % {"who": who, "macro": data.get("macro")}
    if event.kind == EventKind.MESSAGE_RETRIED:
        return _("%(who)s retried a failed delivery") % {"who": who}
    kind = event.kind.replace("_", " ").replace(".", " ")
    return _("%(who)s: %(kind)s") % {"who": who, "kind": kind}


# --- Access and context ---------------------------------------------------------------------


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _conversation(request: HttpRequest, display_id: int) -> Conversation:
    try:
        return get_conversation_by_display_id(_membership(request), display_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _controls_context(membership: Membership, conversation: Conversation) -> dict[str, Any]:
    """What the header controls offer: teammates, teams, tags, statuses, priorities."""
    members = list(
        Membership.objects.filter(account_id=membership.account_id, is_active=True)
        .select_related("agent")
        .order_by("agent__name", "agent__email")
    )
    return {
        "conversation": conversation,
        "me": membership,
        "members": members,
        "teams": list(Team.objects.filter(account_id=membership.account_id).order_by("name")),
        "conversation_tags": list(conversation.tags.order_by("name")),
        "account_tags": list(
            Tag.objects.filter(account_id=membership.account_id)
            .order_by("name")
            .values_list("name", flat=True)[:500]
        ),
        "status_choices": [
            (value, label)
            for value, label in Status.choices
            if value == conversation.status or value in TRANSITIONS[conversation.status]
        ],
        "priority_choices": Priority.choices,
        "can_resolve": Status.RESOLVED in TRANSITIONS[conversation.status],
    }


def _composer_context(
    membership: Membership,
    conversation: Conversation,
    form: ComposerForm | None = None,
    mode: str = "reply",
) -> dict[str, Any]:
    from storedesk.workflow.models import Macro

    closed = conversation.status == Status.CLOSED
    if closed:
        mode = "note"  # a closed conversation takes private notes only
    return {
        "conversation": conversation,
        "composer_form": form or ComposerForm(),
        "composer_mode": mode,
        "macros": list(
            Macro.objects.filter(account_id=membership.account_id)
            .order_by("name")
            .only("pk", "name")
        ),
        "mention_handles": _mention_handles(membership),
        "closed": closed,
    }


def _mention_handles(membership: Membership) -> list[dict[str, str]]:
    """Teammates to @mention: the handle is the email's local part (what add_note resolves)."""
    rows = (
        Membership.objects.filter(account_id=membership.account_id, is_active=True)
        .exclude(pk=membership.pk)
        .select_related("agent")
        .order_by("agent__name")
    )
    return [
        {"handle": m.agent.email.split("@")[0], "name": m.agent.display_name} for m in rows
    ]


def pane_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    from storedesk.contacts.views import sidebar_context

    membership = _membership(request)
    context = _controls_context(membership, conversation)
    context.update(_composer_context(membership, conversation))
    context["thread"] = thread_items(membership, conversation)
    context.update(sidebar_context(membership, conversation.contact, current=conversation))
    context["in_workspace"] = True
    return context


def _thread_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation": conversation,
        "thread": thread_items(_membership(request), conversation),
    }


# --- Pages and partials (GET) ---------------------------------------------------------------


@member_required
@require_GET
def conversation(request: HttpRequest, display_id: int) -> HttpResponse:
    """The conversation: the pane alone for htmx, else the whole workspace around it."""
    found = _conversation(request, display_id)
    context = pane_context(request, found)
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, "inbox/_conversation_pane.html", context)
    else:
        from storedesk.inbox.listing import list_context

        context.update(list_context(request))
        context["current_conversation"] = found
        response = render(request, "inbox/conversation.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@member_required
@require_GET
def thread(request: HttpRequest, display_id: int) -> HttpResponse:
    """The thread alone; the page re-fetches it when a realtime event names this conversation."""
    found = _conversation(request, display_id)
    return render(request, "inbox/_thread.html", _thread_context(request, found))


@member_required
@require_GET
def header(request: HttpRequest, display_id: int) -> HttpResponse:
    found = _conversation(request, display_id)
    return render(
        request, "inbox/_conversation_header.html", _controls_context(_membership(request), found)
    )


@member_required
@require_GET
def macro_preview(request: HttpRequest, display_id: int) -> HttpResponse:
    """The composer with a macro rendered into it (read-only: nothing is sent or applied)."""
    from storedesk.workflow.macros import render_macro
    from storedesk.workflow.models import Macro

    membership = _membership(request)
    found = _conversation(request, display_id)
    try:
        macro_id = int(request.GET.get("macro", ""))
    except ValueError:
        macro_id = 0
    macro = Macro.objects.filter(account_id=membership.account_id, pk=macro_id).first()
    if macro is None:
        # "No macro" picked: an empty reply composer.
        return render(request, "inbox/_composer.html", _composer_context(membership, found))
    form = ComposerForm(
        initial={"text": render_macro(macro, found, membership), "macro_id": macro.pk}
    )
    return render(
        request, "inbox/_composer.html", _composer_context(membership, found, form, "reply")
    )


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


# --- Composer (POST) ------------------------------------------------------------------------


def _composer_response(
    request: HttpRequest,
    found: Conversation,
    form: ComposerForm | None,
    mode: str,
    *,
    status: int = 200,
) -> HttpResponse:
    membership = _membership(request)
    context = _composer_context(membership, found, form, mode)
    if status == 200:
        # The thread, swapped out-of-band, shows what was just written.
        context.update(_thread_context(request, found))
        context["thread_oob"] = True
    return render(request, "inbox/_composer.html", context, status=status)


@member_required
@require_POST
def reply(request: HttpRequest, display_id: int) -> HttpResponse:
    from storedesk.workflow.models import Macro

    membership = _membership(request)
    found = _conversation(request, display_id)
    form = ComposerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _composer_response(request, found, form, "reply", status=400)
    macro = None
    if form.cleaned_data.get("macro_id"):
        macro = Macro.objects.filter(
            account_id=membership.account_id, pk=form.cleaned_data["macro_id"]
        ).first()
        if macro is None:
            form.add_error(None, _("That macro no longer exists."))
            return _composer_response(request, found, form, "reply", status=400)
    try:
        _send_reply(found, Actor.agent(membership), form, macro)
    except ActionError as exc:
        form.add_error(None, exc.detail)
        return _composer_response(request, found, form, "reply", status=400)
    return _composer_response(request, _conversation(request, display_id), None, "reply")


def _send_reply(conversation: Conversation, actor: Actor, form: ComposerForm, macro: Any) -> None:
    from storedesk.workflow.actions import reply_with_macro

    reply_with_macro(
        conversation, actor, form.cleaned_data.get("text") or "", macro,
        attachments=form.incoming_files(),
    )


@member_required
@require_POST
def note(request: HttpRequest, display_id: int) -> HttpResponse:
    membership = _membership(request)
    found = _conversation(request, display_id)
    form = ComposerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _composer_response(request, found, form, "note", status=400)
    try:
        actions.add_note(
            found, Actor.agent(membership), form.cleaned_data.get("text") or "",
            attachments=form.incoming_files(),
        )
    except ActionError as exc:
        form.add_error(None, exc.detail)
        return _composer_response(request, found, form, "note", status=400)
    return _composer_response(request, found, None, "note")


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
    context = {"conversation": found, "m": message, "message_error": error}
    return render(request, "inbox/_message.html", context, status=status)


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
    return render(request, "inbox/_conversation_header.html", context, status=status)


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
    return _header_action(request, display_id, form, lambda c, actor: actions.change_status(
        c, actor, form.cleaned_data["status"], snoozed_until=form.cleaned_data["snoozed_until"],
    ))


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
