"""The thread: messages interleaved with activity lines, one timeline renderer per event kind.

The built-in renderers below are registered like any other app's (see registry.py); a kind
without a renderer falls back to "<who>: <kind>".
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from storedesk.accounts.models import Membership, Team
from storedesk.events.kinds import MESSAGE_KINDS
from storedesk.events.models import Event
from storedesk.inbox.models import (
    Conversation,
    Delivery,
    OutboundStatus,
    Priority,
    Status,
)
from storedesk.inbox.queries import conversation_messages
from storedesk.workspace import images
from storedesk.workspace.registry import RenderContext, timeline_renderers

THREAD_LIMIT = 300


def thread_items(membership: Membership, conversation: Conversation) -> dict[str, Any]:
    """Messages (the latest THREAD_LIMIT, oldest first) interleaved with activity lines."""
    messages = list(conversation_messages(membership, conversation).reverse()[: THREAD_LIMIT + 1])
    truncated = len(messages) > THREAD_LIMIT
    messages = messages[:THREAD_LIMIT][::-1]
    _mark_undoable(membership, messages)
    images.prepare(membership, messages)
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


def _mark_undoable(membership: Membership, messages: list[Any]) -> None:
    """Set `undo_until` on this agent's replies whose delivery is still held back."""
    mine = [m.pk for m in messages if m.direction == "outgoing" and not m.private
            and m.sender_agent_id == membership.agent_id and m.delivery_status == "pending"]
    if not mine:
        return
    held = dict(
        Delivery.objects.filter(
            account_id=membership.account_id, message_id__in=mine, status=OutboundStatus.QUEUED,
            attempts=0, next_attempt_at__gt=timezone.now(),
        ).values_list("message_id", "next_attempt_at")
    )
    for m in messages:
        m.undo_until = held.get(m.pk)


def _member_names(account_id: int) -> dict[int, str]:
    rows = Membership.objects.filter(account_id=account_id).select_related("agent")
    return {m.pk: m.agent.display_name for m in rows}


def actor_name(event: Any) -> str:
    if event.actor_type == "agent" and event.actor_agent is not None:
        return str(event.actor_agent.display_name)
    return {
        "bot": _("The assistant"),
        "contact": _("The customer"),
        "rule": _("An automation rule"),
    }.get(event.actor_type, _("Storedesk"))


def event_line(event: Any, names: dict[int, str], teams: dict[int, str]) -> str:
    """One activity line, in the agent's language, from the kind's registered renderer."""
    kind = event.kind
    ctx = RenderContext(who=actor_name(event), names=names, teams=teams)
    renderer = timeline_renderers.get(kind)
    if renderer is None:
        return _("%(who)s: %(kind)s") % {
            "who": ctx.who, "kind": kind.replace("_", " ").replace(".", " ")}
    return renderer(event, ctx)


# --- Built-in renderers ---------------------------------------------------------------------


def _data(event: Any) -> dict[str, Any]:
    return event.data or {}


@timeline_renderers.register("conversation.opened")
def _opened(event: Any, ctx: RenderContext) -> str:
    return _("Conversation started")


@timeline_renderers.register("conversation.status_changed")
def _status_changed(event: Any, ctx: RenderContext) -> str:
    data = _data(event)
    new = dict(Status.choices).get(str(data.get("new")), data.get("new"))
    if data.get("new") == Status.SNOOZED and data.get("snoozed_until"):
        until = parse_datetime(data["snoozed_until"])
        when = date_format(timezone.localtime(until), "DATETIME_FORMAT") if until else ""
        return _("%(who)s snoozed the conversation until %(when)s") % {
            "who": ctx.who, "when": when}
    return _("%(who)s changed the status to %(status)s") % {"who": ctx.who, "status": new}


@timeline_renderers.register("conversation.assigned")
def _assigned(event: Any, ctx: RenderContext) -> str:
    data, who = _data(event), ctx.who
    parts = []
    if data.get("new_assignee") != data.get("old_assignee"):
        if data.get("new_assignee"):
            parts.append(_("%(who)s assigned the conversation to %(agent)s") % {
                "who": who, "agent": ctx.names.get(data["new_assignee"], "?")})
        else:
            parts.append(_("%(who)s unassigned the conversation") % {"who": who})
    if data.get("new_team") != data.get("old_team"):
        if data.get("new_team"):
            parts.append(_("%(who)s moved the conversation to team %(team)s") % {
                "who": who, "team": ctx.teams.get(data["new_team"], "?")})
        else:
            parts.append(_("%(who)s removed the team") % {"who": who})
    return "; ".join(parts) or _("%(who)s changed the assignment") % {"who": who}


@timeline_renderers.register("conversation.priority_changed")
def _priority_changed(event: Any, ctx: RenderContext) -> str:
    new = _data(event).get("new")
    return _("%(who)s set the priority to %(priority)s") % {
        "who": ctx.who, "priority": dict(Priority.choices).get(str(new), new)}


@timeline_renderers.register("conversation.tagged")
def _tagged(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s added the tag %(tag)s") % {"who": ctx.who, "tag": _data(event).get("tag", "")}


@timeline_renderers.register("conversation.untagged")
def _untagged(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s removed the tag %(tag)s") % {
        "who": ctx.who, "tag": _data(event).get("tag", "")}


@timeline_renderers.register("macro.applied")
def _macro_applied(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s applied the macro %(macro)s") % {
        "who": ctx.who, "macro": _data(event).get("macro")}


@timeline_renderers.register("message.retried")
def _retried(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s retried a failed delivery") % {"who": ctx.who}


@timeline_renderers.register("message.notice_sent")
def _notice_sent(event: Any, ctx: RenderContext) -> str:
    data = _data(event)
    if data.get("notice") == "back_in_stock":
        text = _("%(who)s sent the customer a back-in-stock notice") % {"who": ctx.who}
    else:
        text = _("%(who)s sent the customer a notice") % {"who": ctx.who}
    if data.get("status") == Status.CLOSED:
        text += " " + _("(the conversation stays closed)")
    elif data.get("status") == Status.RESOLVED:
        text += " " + _("(the conversation stays resolved)")
    return text


@timeline_renderers.register("conversation.language_set")
def _language_set(event: Any, ctx: RenderContext) -> str:
    new = _data(event).get("new")
    if not new:
        return _("%(who)s cleared the language") % {"who": ctx.who}
    return _("%(who)s set the language to %(language)s") % {"who": ctx.who, "language": new}


@timeline_renderers.register("conversation.intent_set")
def _intent_set(event: Any, ctx: RenderContext) -> str:
    new = _data(event).get("new")
    if not new:
        return _("%(who)s cleared the intent") % {"who": ctx.who}
    return _("%(who)s set the intent to %(intent)s") % {"who": ctx.who, "intent": new}


@timeline_renderers.register("conversation.handed_off")
def _handed_off(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s handed the conversation to a human (see the summary note)") % {
        "who": ctx.who}


@timeline_renderers.register("conversation.contact_changed")
def _contact_changed(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s merged the customer into another contact") % {"who": ctx.who}


# Provider receipts (inbox.actions.record_receipt).
@timeline_renderers.register("message.delivered")
def _delivered(event: Any, ctx: RenderContext) -> str:
    return _("A reply was delivered to the customer")


@timeline_renderers.register("message.read")
def _read(event: Any, ctx: RenderContext) -> str:
    return _("The customer read a reply")


@timeline_renderers.register("message.failed")
def _failed(event: Any, ctx: RenderContext) -> str:
    error = _data(event).get("error")
    if error:
        return _("A reply could not be delivered: %(error)s") % {"error": error}
    return _("A reply could not be delivered")
