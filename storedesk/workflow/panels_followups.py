"""Follow-ups and playbooks in the conversation view: the "Send later" composer tool, the
scheduled replies at the end of the thread, the "Follow-up" and "Playbooks" sidebar panels,
and the `followup.*` timeline lines.

Plain functions; `storedesk.workflow_ui` registers them into the workspace (the workflow
cannot import the workspace, which imports it for macros).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from storedesk.inbox.models import Status
from storedesk.workflow import playbooks
from storedesk.workflow.models import (
    CancelReason,
    Reminder,
    ReminderOutcome,
    ScheduledReply,
    ScheduledStatus,
)

REMINDER_PRESETS = [(4, "4h"), (24, "1d"), (48, "2d"), (72, "3d"), (168, "7d")]


def send_later_tool(slot: Any) -> dict[str, Any] | None:
    if slot.conversation.status == Status.CLOSED:
        return None
    return {}


def scheduled_footer(slot: Any) -> dict[str, Any] | None:
    rows = list(ScheduledReply.objects.filter(
        account_id=slot.membership.account_id, conversation=slot.conversation,
        status=ScheduledStatus.SCHEDULED).select_related("author__agent")
        .order_by("send_at", "pk"))
    if not rows:
        return None
    items = [{"row": row, "markdown": str((row.metadata or {}).get("markdown") or row.text)}
             for row in rows]
    return {"scheduled": items}


def followup_panel(slot: Any) -> dict[str, Any]:
    reminders = list(Reminder.objects.filter(
        account_id=slot.membership.account_id, conversation=slot.conversation, fired_at=None)
        .select_related("membership__agent").order_by("due_at", "pk"))
    return {"reminders": reminders, "presets": _presets(),
            "closed": slot.conversation.status == Status.CLOSED}


def _presets() -> list[tuple[int, str]]:
    labels = {4: _("In 4 hours"), 24: _("In 1 day"), 48: _("In 2 days"), 72: _("In 3 days"),
              168: _("In 1 week")}
    return [(hours, labels[hours]) for hours, _key in REMINDER_PRESETS]


def playbooks_panel(slot: Any) -> dict[str, Any] | None:
    found = playbooks.matching(slot.membership, slot.conversation)
    return {"playbooks": found} if found else None


# --- Timeline lines -------------------------------------------------------------------------


def _when(value: Any) -> str:
    moment = parse_datetime(str(value or ""))
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def _reason(value: str) -> str:
    try:
        return str(CancelReason(value).label)
    except ValueError:
        return value


def reply_scheduled_line(event: Any, ctx: Any) -> str:
    return _("%(who)s scheduled a reply for %(when)s") % {
        "who": ctx.who, "when": _when((event.data or {}).get("send_at"))}


def reply_edited_line(event: Any, ctx: Any) -> str:
    return _("%(who)s changed a scheduled reply (now %(when)s)") % {
        "who": ctx.who, "when": _when((event.data or {}).get("send_at"))}


def reply_sent_line(event: Any, ctx: Any) -> str:
    return _("A scheduled reply was sent")


def reply_cancelled_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    if data.get("error"):
        return _("A scheduled reply was not sent: %(error)s") % {"error": data["error"]}
    if data.get("reason") == CancelReason.AGENT:
        return _("%(who)s cancelled a scheduled reply") % {"who": ctx.who}
    return _("A scheduled reply was cancelled: %(reason)s") % {
        "reason": _reason(str(data.get("reason", "")))}


def reminder_set_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    values = {"who": ctx.who, "agent": ctx.names.get(data.get("for"), "?"),
              "when": _when(data.get("due_at"))}
    if data.get("only_if_no_reply"):
        return _("%(who)s set a reminder for %(agent)s at %(when)s if the customer does not "
                 "answer") % values
    return _("%(who)s set a reminder for %(agent)s at %(when)s") % values


def reminder_fired_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    agent = ctx.names.get(data.get("for"), "?")
    if data.get("outcome") == ReminderOutcome.ANSWERED:
        return _("The customer answered: the reminder for %(agent)s was dismissed") % {
            "agent": agent}
    if data.get("reopened"):
        return _("Reminder for %(agent)s: the conversation was reopened") % {"agent": agent}
    return _("Reminder for %(agent)s") % {"agent": agent}


def reminder_cancelled_line(event: Any, ctx: Any) -> str:
    return _("%(who)s cancelled the reminder for %(agent)s") % {
        "who": ctx.who, "agent": ctx.names.get((event.data or {}).get("for"), "?")}


def auto_resolved_line(event: Any, ctx: Any) -> str:
    days = int((event.data or {}).get("days") or 0)
    return _("Resolved automatically: no answer from the customer in %(days)s days") % {
        "days": days}
