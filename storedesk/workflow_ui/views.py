"""The follow-up controls of the conversation view: "Send later" in the composer, the
scheduled replies at the end of the thread (edit, cancel, send now) and the "Follow-up"
panel's reminders. Access → parse → one action → the re-rendered partial. POST only.

Times come from `<input type="datetime-local">` plus the browser's IANA zone (`tz`, filled
in by the workspace's script), so "tomorrow 09:00" is 09:00 where the agent is.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storedesk.accounts.decorators import member_required
from storedesk.core.errors import ActionError
from storedesk.inbox.models import Conversation
from storedesk.workflow import actions_followups as actions
from storedesk.workflow.models import Reminder, ScheduledReply
from storedesk.workflow.panels_followups import followup_panel
from storedesk.workspace import actions as workspace_actions
from storedesk.workspace.access import conversation_or_404, membership_of, thread_context
from storedesk.workspace.composing import compose
from storedesk.workspace.forms_conversation import ComposerForm
from storedesk.workspace.models import DraftMode
from storedesk.workspace.registry import Slot
from storedesk.workspace.slots import tool_metadata
from storedesk.workspace.snooze import zone_named
from storedesk.workspace.views_composer import composer_context


def local_time(value: str, zone_name: str, fallback_zone: str) -> datetime | None:
    """"2026-12-02T09:00" in the agent's zone → an aware datetime (None if unreadable)."""
    try:
        naive = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zone_named(zone_name, fallback_zone))


def _when(request: HttpRequest, field: str) -> datetime | None:
    return local_time(request.POST.get(field, ""), request.POST.get("tz", ""),
                      membership_of(request).account.timezone)


def _draft(request: HttpRequest, conversation: Conversation, text: str,
           tools: dict[str, Any] | None = None) -> actions.ReplyDraft:
    """What the reply will store, as the composer's Send builds it: the Markdown rendered, the
    signature chosen, and what the composer's tools add (an email's Cc and Bcc)."""
    signature = ""
    if request.POST.get("signature") == "on":
        signature = workspace_actions.signature_for(membership_of(request), conversation)
    formatted = compose(text, signature)
    return actions.ReplyDraft(formatted.text, formatted.html,
                              {**(tools or {}), "markdown": text, "signature": signature})


def _toast(response: HttpResponse, message: str, kind: str = "success") -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"storedesk:toast": {"message": message, "kind": kind}})
    return response


def _reply_form(request: HttpRequest, conversation: Conversation, form: ComposerForm | None,
                status: int = 200) -> HttpResponse:
    context = composer_context(request, conversation, {"reply": form} if form else None)
    if status == 200:
        context.update(thread_context(request, conversation))
        context["thread_oob"] = True
    return render(request, "workspace/_reply_form.html", context, status=status)


@member_required
@require_POST
def schedule(request: HttpRequest, display_id: int) -> HttpResponse:
    """"Send later": the reply form's text becomes a scheduled reply; the box is emptied."""
    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    form = ComposerForm(request.POST)
    if not form.is_valid():
        return _reply_form(request, found, form, status=400)
    if request.FILES:
        form.add_error(None, _("Attachments cannot be scheduled yet: send them now."))
        return _reply_form(request, found, form, status=400)
    text = form.cleaned_data.get("text") or ""
    send_at = _when(request, "send_at")
    try:
        tools = tool_metadata(request, found)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _reply_form(request, found, form, status=400)
    try:
        if send_at is None:
            raise ActionError(_("Pick a date and time."))
        actions.schedule_reply(found, membership, _draft(request, found, text, tools), send_at,
                               cancel_if_customer_replies=request.POST.get(
                                   "cancel_if_customer_replies") == "on")
    except ActionError as exc:
        form.add_error(None, _(exc.detail))
        return _reply_form(request, found, form, status=400)
    workspace_actions.clear_draft(membership, found, DraftMode.REPLY)
    return _toast(_reply_form(request, found, None), _("Reply scheduled."))


def _scheduled_or_404(request: HttpRequest, display_id: int, scheduled_id: int
                      ) -> tuple[Conversation, ScheduledReply]:
    found = conversation_or_404(request, display_id)
    row = ScheduledReply.objects.filter(account_id=found.account_id, conversation=found,
                                        pk=scheduled_id).first()
    if row is None:
        raise Http404("No such scheduled reply.")
    return found, row


def _thread(request: HttpRequest, conversation: Conversation, status: int = 200
            ) -> HttpResponse:
    conversation.refresh_from_db()
    return render(request, "workspace/_thread.html", thread_context(request, conversation),
                  status=status)


def _scheduled_action(request: HttpRequest, display_id: int, scheduled_id: int, verb: str
                      ) -> HttpResponse:
    membership = membership_of(request)
    found, row = _scheduled_or_404(request, display_id, scheduled_id)
    try:
        if verb == "cancel":
            actions.cancel_scheduled_reply(row, membership)
            message = _("Scheduled reply cancelled: nothing was sent.")
        elif verb == "send":
            row = actions.send_scheduled_now(row, membership)
            message = (_("Reply sent.") if row.status == "sent"
                       else _("The reply was not sent: %(reason)s") % {
                           "reason": row.get_reason_display() or row.error})
        else:
            text = request.POST.get("text", "")
            send_at = _when(request, "send_at")
            if send_at is None:
                raise ActionError(_("Pick a date and time."))
            kept = {k: v for k, v in (row.metadata or {}).items()
                    if k not in ("markdown", "signature")}  # the tools' part (Cc, Bcc)
            actions.edit_scheduled_reply(
                row, membership, _draft(request, found, text, kept), send_at,
                cancel_if_customer_replies=request.POST.get("cancel_if_customer_replies")
                == "on")
            message = _("Scheduled reply saved.")
    except ActionError as exc:
        return _toast(_thread(request, found), _(exc.detail), "error")
    return _toast(_thread(request, found), message)


@member_required
@require_POST
def cancel(request: HttpRequest, display_id: int, scheduled_id: int) -> HttpResponse:
    return _scheduled_action(request, display_id, scheduled_id, "cancel")


@member_required
@require_POST
def send_now(request: HttpRequest, display_id: int, scheduled_id: int) -> HttpResponse:
    return _scheduled_action(request, display_id, scheduled_id, "send")


@member_required
@require_POST
def edit(request: HttpRequest, display_id: int, scheduled_id: int) -> HttpResponse:
    return _scheduled_action(request, display_id, scheduled_id, "edit")


# --- Reminders (the "Follow-up" panel) ------------------------------------------------------


def _panel(request: HttpRequest, conversation: Conversation, error: str = "",
           status: int = 200) -> HttpResponse:
    slot = Slot(request=request, membership=membership_of(request), conversation=conversation,
                contact=conversation.contact)
    context: dict[str, Any] = {"conversation": conversation, "me": slot.membership,
                               **followup_panel(slot), "error": error}
    return render(request, "workflow/_followup_panel.html", context, status=status)


@member_required
@require_POST
def remind(request: HttpRequest, display_id: int) -> HttpResponse:
    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    preset = request.POST.get("in_hours", "")
    due_at: datetime | None
    if preset == "custom":
        due_at = _when(request, "due_at")
    else:
        try:
            due_at = timezone.now() + timedelta(hours=int(preset))
        except ValueError:
            due_at = None
    try:
        if due_at is None:
            raise ActionError(_("Pick a date and time."))
        actions.set_reminder(found, membership, due_at,
                             only_if_no_reply=request.POST.get("only_if_no_reply") == "on",
                             note=request.POST.get("note", "")[:300])
    except ActionError as exc:
        return _panel(request, found, _(exc.detail), status=400)
    return _toast(_panel(request, found), _("Reminder set."))


@member_required
@require_POST
def cancel_reminder(request: HttpRequest, display_id: int, reminder_id: int) -> HttpResponse:
    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    reminder = Reminder.objects.filter(account_id=found.account_id, conversation=found,
                                       pk=reminder_id).first()
    if reminder is None:
        raise Http404("No such reminder.")
    try:
        actions.cancel_reminder(reminder, membership)
    except ActionError as exc:
        return _panel(request, found, _(exc.detail), status=400)
    return _toast(_panel(request, found), _("Reminder cancelled."))
