"""REST API of follow-ups and playbooks.

- ``GET|POST /conversations/{id}/scheduled-replies``; ``GET|PUT /scheduled-replies/{id}``,
  ``POST /scheduled-replies/{id}/cancel``, ``POST /scheduled-replies/{id}/send-now``
  (agents who work the conversation);
- ``GET|POST /conversations/{id}/reminders``, ``POST /reminders/{id}/cancel``;
- ``GET|PUT /followups/settings`` (auto-resolve; writes: admins);
- ``GET|POST /playbooks``, ``GET|PUT|DELETE /playbooks/{id}`` (writes: admins);
  ``GET /conversations/{id}/playbooks`` (the ones matching the conversation).

Another account's (or, for a light agent, another team's) conversation or row is a 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError
from storedesk.core.formatting import render_markdown
from storedesk.core.lookup import get_or_404
from storedesk.inbox.queries import get_conversation, get_membership, visible_conversations
from storedesk.workflow import actions_followups as actions
from storedesk.workflow import playbooks
from storedesk.workflow.models import Reminder, ScheduledReply
from storedesk.workflow.schemas_followups import (
    FollowUpSettingsIn,
    FollowUpSettingsOut,
    MatchedPlaybookOut,
    PlaybookIn,
    PlaybookOut,
    ReminderIn,
    ReminderOut,
    ScheduledReplyIn,
    ScheduledReplyOut,
)

router = Router(tags=["follow-ups"])


def _member(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _scheduled(member: Membership, pk: int) -> ScheduledReply:
    return get_or_404(ScheduledReply.objects.filter(
        account_id=member.account_id, conversation__in=visible_conversations(member)),
        "Scheduled reply", pk=pk)


def _draft(text: str) -> actions.ReplyDraft:
    formatted = render_markdown(text)
    return actions.ReplyDraft(formatted.text, formatted.html, {"markdown": text})


def _scheduled_out(row: ScheduledReply) -> dict[str, Any]:
    return {"id": row.pk, "conversation_id": row.conversation_id, "author_id": row.author_id,
            "text": str((row.metadata or {}).get("markdown") or row.text),
            "send_at": row.send_at, "cancel_if_customer_replies": row.cancel_if_customer_replies,
            "status": row.status, "reason": row.reason, "error": row.error,
            "message_id": row.message_id, "created_at": row.created_at}


@router.get("/conversations/{conversation_id}/scheduled-replies",
            response=list[ScheduledReplyOut], url_name="scheduled_replies")
def list_scheduled(request: HttpRequest, conversation_id: int) -> Any:
    conversation = get_conversation(_member(request), conversation_id)
    rows = ScheduledReply.objects.filter(conversation=conversation).order_by("send_at", "pk")
    return [_scheduled_out(r) for r in rows]


@router.post("/conversations/{conversation_id}/scheduled-replies",
             response={201: ScheduledReplyOut}, url_name="scheduled_reply_create")
def create_scheduled(request: HttpRequest, conversation_id: int,
                     payload: ScheduledReplyIn) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    row = actions.schedule_reply(conversation, member, _draft(payload.text), payload.send_at,
                                 cancel_if_customer_replies=payload.cancel_if_customer_replies)
    return Status(201, _scheduled_out(row))


@router.get("/scheduled-replies/{scheduled_id}", response=ScheduledReplyOut,
            url_name="scheduled_reply")
def get_scheduled(request: HttpRequest, scheduled_id: int) -> Any:
    return _scheduled_out(_scheduled(_member(request), scheduled_id))


@router.put("/scheduled-replies/{scheduled_id}", response=ScheduledReplyOut,
            url_name="scheduled_reply_update")
def update_scheduled(request: HttpRequest, scheduled_id: int, payload: ScheduledReplyIn) -> Any:
    member = _member(request)
    row = actions.edit_scheduled_reply(
        _scheduled(member, scheduled_id), member, _draft(payload.text), payload.send_at,
        cancel_if_customer_replies=payload.cancel_if_customer_replies)
    return _scheduled_out(row)


@router.post("/scheduled-replies/{scheduled_id}/cancel", response=ScheduledReplyOut,
             url_name="scheduled_reply_cancel")
def cancel_scheduled(request: HttpRequest, scheduled_id: int) -> Any:
    member = _member(request)
    return _scheduled_out(actions.cancel_scheduled_reply(_scheduled(member, scheduled_id),
                                                         member))


@router.post("/scheduled-replies/{scheduled_id}/send-now", response=ScheduledReplyOut,
             url_name="scheduled_reply_send_now")
def send_scheduled_now(request: HttpRequest, scheduled_id: int) -> Any:
    member = _member(request)
    return _scheduled_out(actions.send_scheduled_now(_scheduled(member, scheduled_id), member))


# --- Reminders ------------------------------------------------------------------------------


@router.get("/conversations/{conversation_id}/reminders", response=list[ReminderOut],
            url_name="reminders")
def list_reminders(request: HttpRequest, conversation_id: int) -> Any:
    conversation = get_conversation(_member(request), conversation_id)
    return list(Reminder.objects.filter(conversation=conversation).order_by("due_at", "pk"))


@router.post("/conversations/{conversation_id}/reminders", response={201: ReminderOut},
             url_name="reminder_create")
def create_reminder(request: HttpRequest, conversation_id: int, payload: ReminderIn) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    if (payload.due_at is None) == (payload.after_hours is None):
        raise ActionError("Give either due_at or after_hours.")
    due_at = payload.due_at or timezone.now() + timedelta(hours=payload.after_hours or 0)
    target = get_membership(member, payload.membership_id) if payload.membership_id else None
    reminder = actions.set_reminder(conversation, member, due_at,
                                    only_if_no_reply=payload.only_if_no_reply,
                                    note=payload.note, for_membership=target)
    return Status(201, reminder)


@router.post("/reminders/{reminder_id}/cancel", response=ReminderOut, url_name="reminder_cancel")
def cancel_reminder(request: HttpRequest, reminder_id: int) -> Any:
    member = _member(request)
    reminder = get_or_404(Reminder.objects.filter(
        account_id=member.account_id, conversation__in=visible_conversations(member)),
        "Reminder", pk=reminder_id)
    return actions.cancel_reminder(reminder, member)


# --- Auto-resolve settings ------------------------------------------------------------------


@router.get("/followups/settings", response=FollowUpSettingsOut, url_name="followup_settings")
def get_settings(request: HttpRequest) -> Any:
    return actions.followup_settings(_member(request).account_id)


@router.put("/followups/settings", response=FollowUpSettingsOut,
            url_name="followup_settings_update")
def put_settings(request: HttpRequest, payload: FollowUpSettingsIn) -> Any:
    return actions.update_followup_settings(_member(request), actions.AutoResolveSpec(
        days=payload.auto_resolve_days, send_closing_message=payload.send_closing_message,
        closing_message=payload.closing_message,
        closing_translations=dict(payload.closing_translations)))


# --- Playbooks ------------------------------------------------------------------------------


def _playbook_out(playbook: Any) -> dict[str, Any]:
    return {"id": playbook.pk, "name": playbook.name, "article_id": playbook.article_id,
            "article_slug": playbook.article.slug, "intents": playbook.intents,
            "tags": playbook.tags, "position": playbook.position,
            "is_active": playbook.is_active}


def _spec(payload: PlaybookIn) -> playbooks.PlaybookSpec:
    return playbooks.PlaybookSpec(**payload.dict())


@router.get("/playbooks", response=list[PlaybookOut], url_name="playbooks")
def list_playbooks(request: HttpRequest) -> Any:
    return [_playbook_out(p) for p in playbooks.playbooks_of(_member(request))]


@router.post("/playbooks", response={201: PlaybookOut}, url_name="playbook_create")
def create_playbook(request: HttpRequest, payload: PlaybookIn) -> Any:
    return Status(201, _playbook_out(playbooks.create_playbook(_member(request),
                                                               _spec(payload))))


@router.get("/playbooks/{playbook_id}", response=PlaybookOut, url_name="playbook")
def get_playbook(request: HttpRequest, playbook_id: int) -> Any:
    return _playbook_out(playbooks.get_playbook(_member(request), playbook_id))


@router.put("/playbooks/{playbook_id}", response=PlaybookOut, url_name="playbook_update")
def update_playbook(request: HttpRequest, playbook_id: int, payload: PlaybookIn) -> Any:
    member = _member(request)
    playbook = playbooks.get_playbook(member, playbook_id)
    return _playbook_out(playbooks.update_playbook(playbook, member, _spec(payload)))


@router.delete("/playbooks/{playbook_id}", response={204: None}, url_name="playbook_delete")
def delete_playbook(request: HttpRequest, playbook_id: int) -> Any:
    member = _member(request)
    playbooks.delete_playbook(playbooks.get_playbook(member, playbook_id), member)
    return Status(204, None)


@router.get("/conversations/{conversation_id}/playbooks", response=list[MatchedPlaybookOut],
            url_name="conversation_playbooks")
def conversation_playbooks(request: HttpRequest, conversation_id: int) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    return [{"id": m["playbook"].pk, "name": m["playbook"].name,
             "article_id": m["playbook"].article_id, "title": m["title"],
             "summary": m["summary"], "html": m["html"], "language": m["language"],
             "matched_intent": m["intent"], "matched_tags": m["tags"]}
            for m in playbooks.matching(member, conversation)]
