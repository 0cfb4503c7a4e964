"""Every write of the follow-ups an agent makes: schedule / edit / cancel / send now a reply,
set / cancel a reminder, the account's auto-resolve setting.

The worker's side (sending when due, firing reminders, auto-resolving) is `followups.py`.
Each action runs in one transaction with its timeline row (`inbox.actions.add_timeline_event`)
and tells the agents' browsers after commit (the thread re-renders on `conversation.updated`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Account, Membership
from storedesk.accounts.permissions import Perm, require
from storedesk.core.errors import ActionError
from storedesk.core.oncommit import enqueue_on_commit, publish_on_commit
from storedesk.core.validation import check_datetime, check_text
from storedesk.events import EventKind
from storedesk.inbox.actions import MAX_TEXT_CHARS, add_timeline_event
from storedesk.inbox.events import conversation_payload
from storedesk.inbox.models import Conversation, Status
from storedesk.inbox.queries import visible_conversations
from storedesk.workflow.models import (
    CancelReason,
    FollowUpSettings,
    Reminder,
    ReminderOutcome,
    ScheduledReply,
    ScheduledStatus,
)

# How far ahead a reply or a reminder may be set.
MAX_AHEAD = timedelta(days=366)
MAX_AUTO_RESOLVE_DAYS = 365


def _publish(conversation: Conversation) -> None:
    publish_on_commit(conversation.account_id, {
        "type": "conversation.updated", "conversation": conversation_payload(conversation)})


def _check_when(label: str, when: datetime | None, now: datetime) -> datetime:
    if when is None or timezone.is_naive(when):
        raise ActionError(gettext_noop("Pick a date and time (with a time zone)."))
    check_datetime(label, when)
    if when <= now:
        raise ActionError(gettext_noop("Pick a time in the future."))
    if when > now + MAX_AHEAD:
        raise ActionError(gettext_noop("Pick a time within a year."))
    return when


def _check_reply(conversation: Conversation, text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionError(gettext_noop("The reply is empty."))
    check_text("text", text)
    if len(text) > MAX_TEXT_CHARS:
        raise ActionError(f"The reply is longer than {MAX_TEXT_CHARS} characters.")
    if conversation.status == Status.CLOSED:
        raise ActionError(gettext_noop(
            "This conversation is closed; start a new one to write to the shopper."))
    return text


def _enqueue_send(row: ScheduledReply) -> None:
    from storedesk.workflow.tasks import send_scheduled_reply

    delay = max(0.0, (row.send_at - timezone.now()).total_seconds())
    # The minute sweep (tasks.run_followups) sends it too, should this task be lost.
    enqueue_on_commit(send_scheduled_reply.schedule, (row.pk,), delay=delay)


@dataclass(frozen=True)
class ReplyDraft:
    """What a scheduled reply will store: `text` (plain), `html` (sanitised, optional) and
    `metadata` (the composer's Markdown source, the signature chosen)."""

    text: str
    html: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def schedule_reply(conversation: Conversation, membership: Membership, draft: ReplyDraft,
                   send_at: datetime, *, cancel_if_customer_replies: bool = True
                   ) -> ScheduledReply:
    """Keep a reply to send at `send_at` (as `membership`, through the normal reply path)."""
    require(membership, Perm.WORK_CONVERSATIONS)
    now = timezone.now()
    send_at = _check_when("send_at", send_at, now)
    text = _check_reply(conversation, draft.text)
    row = ScheduledReply.objects.create(
        account_id=conversation.account_id, conversation=conversation,
        contact_id_at_schedule=conversation.contact_id, author=membership, text=text,
        html=draft.html or "", metadata=draft.metadata or {}, send_at=send_at,
        cancel_if_customer_replies=cancel_if_customer_replies)
    add_timeline_event(conversation, Actor.agent(membership), EventKind.FOLLOWUP_REPLY_SCHEDULED,
                       scheduled_id=row.pk, send_at=send_at.isoformat(),
                       cancel_if_replied=cancel_if_customer_replies)
    _enqueue_send(row)
    _publish(conversation)
    return row


def _still_scheduled(row: ScheduledReply) -> ScheduledReply:
    locked = (ScheduledReply.objects.select_for_update()
              .filter(pk=row.pk, status=ScheduledStatus.SCHEDULED).first())
    if locked is None:
        raise ActionError(gettext_noop("This reply is no longer scheduled."))
    return locked


@transaction.atomic
def edit_scheduled_reply(row: ScheduledReply, membership: Membership, draft: ReplyDraft,
                         send_at: datetime, *, cancel_if_customer_replies: bool = True
                         ) -> ScheduledReply:
    """Change the text, the time or the "cancel if the customer replies" box of a reply that
    is still waiting (the worker's claim and this edit exclude each other on the row)."""
    require(membership, Perm.WORK_CONVERSATIONS)
    locked = _still_scheduled(row)
    conversation = Conversation.objects.get(pk=locked.conversation_id)
    now = timezone.now()
    locked.send_at = _check_when("send_at", send_at, now)
    locked.text = _check_reply(conversation, draft.text)
    locked.html = draft.html or ""
    locked.metadata = draft.metadata or {}
    locked.cancel_if_customer_replies = cancel_if_customer_replies
    locked.save(update_fields=["send_at", "text", "html", "metadata",
                               "cancel_if_customer_replies", "updated_at"])
    add_timeline_event(conversation, Actor.agent(membership), EventKind.FOLLOWUP_REPLY_EDITED,
                       scheduled_id=locked.pk, send_at=locked.send_at.isoformat())
    _enqueue_send(locked)
    _publish(conversation)
    return locked


@transaction.atomic
def cancel_scheduled_reply(row: ScheduledReply, membership: Membership) -> ScheduledReply:
    require(membership, Perm.WORK_CONVERSATIONS)
    locked = _still_scheduled(row)
    conversation = Conversation.objects.get(pk=locked.conversation_id)
    finish_scheduled(locked, ScheduledStatus.CANCELLED, Actor.agent(membership),
                     conversation, reason=CancelReason.AGENT)
    return locked


def send_scheduled_now(row: ScheduledReply, membership: Membership) -> ScheduledReply:
    """Send a waiting reply at once, by the same path as the worker (still once)."""
    from storedesk.workflow.followups import send_due_reply

    require(membership, Perm.WORK_CONVERSATIONS)
    with transaction.atomic():
        locked = _still_scheduled(row)
        locked.send_at = timezone.now()
        locked.save(update_fields=["send_at", "updated_at"])
    send_due_reply(row.pk, timezone.now())
    row.refresh_from_db()
    return row


def finish_scheduled(row: ScheduledReply, status: str, actor: Actor, conversation: Conversation,
                     *, reason: str = "", error: str = "") -> None:
    """Record that a scheduled reply will not be sent (inside the caller's transaction, with
    the row claimed or locked)."""
    ScheduledReply.objects.filter(pk=row.pk).update(
        status=status, reason=reason, error=error[:300], finished_at=timezone.now(),
        updated_at=timezone.now())
    row.status, row.reason, row.error = status, reason, error[:300]
    add_timeline_event(conversation, actor, EventKind.FOLLOWUP_REPLY_CANCELLED,
                       scheduled_id=row.pk, reason=reason, error=error[:300])
    _publish(conversation)


# --- Reminders ------------------------------------------------------------------------------


@transaction.atomic
def set_reminder(conversation: Conversation, membership: Membership, due_at: datetime, *,
                 only_if_no_reply: bool = False, note: str = "",
                 for_membership: Membership | None = None) -> Reminder:
    """Remind `for_membership` (default: the agent setting it) about the conversation at
    `due_at`; with `only_if_no_reply`, only if the customer has not written by then."""
    require(membership, Perm.WORK_CONVERSATIONS)
    target = for_membership or membership
    if target.account_id != conversation.account_id or not target.is_active:
        raise ActionError(gettext_noop("Pick an active member of this account."))
    if not visible_conversations(target).filter(pk=conversation.pk).exists():
        raise ActionError(gettext_noop("That agent cannot see this conversation."))
    due_at = _check_when("due_at", due_at, timezone.now())
    note = check_text("note", (note or "").strip(), 300)
    reminder = Reminder.objects.create(
        account_id=conversation.account_id, conversation=conversation, membership=target,
        due_at=due_at, only_if_no_reply=only_if_no_reply, note=note)
    add_timeline_event(conversation, Actor.agent(membership), EventKind.FOLLOWUP_REMINDER_SET,
                       reminder_id=reminder.pk, due_at=due_at.isoformat(),
                       only_if_no_reply=only_if_no_reply, **{"for": target.pk})
    from storedesk.workflow.tasks import fire_reminder

    enqueue_on_commit(fire_reminder.schedule, (reminder.pk,),
                      delay=max(0.0, (due_at - timezone.now()).total_seconds()))
    _publish(conversation)
    return reminder


@transaction.atomic
def cancel_reminder(reminder: Reminder, membership: Membership) -> Reminder:
    require(membership, Perm.WORK_CONVERSATIONS)
    claimed = Reminder.objects.filter(pk=reminder.pk, fired_at=None).update(
        fired_at=timezone.now(), outcome=ReminderOutcome.CANCELLED, updated_at=timezone.now())
    if not claimed:
        raise ActionError(gettext_noop("This reminder has already fired or was cancelled."))
    reminder.refresh_from_db()
    conversation = Conversation.objects.get(pk=reminder.conversation_id)
    add_timeline_event(conversation, Actor.agent(membership),
                       EventKind.FOLLOWUP_REMINDER_CANCELLED, reminder_id=reminder.pk,
                       **{"for": reminder.membership_id})
    _publish(conversation)
    return reminder


# --- Auto-resolve ---------------------------------------------------------------------------


def followup_settings(account_id: int) -> FollowUpSettings:
    """The account's settings (unsaved defaults when it has none: auto-resolve off)."""
    found = FollowUpSettings.objects.filter(account_id=account_id).first()
    return found or FollowUpSettings(account_id=account_id)


@dataclass(frozen=True)
class AutoResolveSpec:
    days: int | None
    send_closing_message: bool = True
    closing_message: str = ""
    closing_translations: dict[str, str] = field(default_factory=dict)


def _clean_spec(account: Account, spec: AutoResolveSpec) -> AutoResolveSpec:
    if spec.days is not None and not 1 <= spec.days <= MAX_AUTO_RESOLVE_DAYS:
        raise ActionError(gettext_noop("Auto-resolve after 1 to 365 days, or never."))
    message = check_text("closing_message", (spec.closing_message or "").strip(), 2000)
    languages = set(account.languages or ["en"])
    translations: dict[str, str] = {}
    for language, text in (spec.closing_translations or {}).items():
        if language not in languages:
            raise ActionError(f"{language!r} is not one of the account's languages.")
        text = check_text("closing_translations", str(text or "").strip(), 2000)
        if text:
            translations[language] = text
    return AutoResolveSpec(spec.days, spec.send_closing_message, message, translations)


@transaction.atomic
def update_followup_settings(by: Membership, spec: AutoResolveSpec) -> FollowUpSettings:
    """An admin sets the account's auto-resolve (audited)."""
    require(by, Perm.MANAGE_SETTINGS)
    account = by.account
    spec = _clean_spec(account, spec)
    row, _created = FollowUpSettings.objects.select_for_update().get_or_create(
        account=account)
    row.auto_resolve_days = spec.days
    row.send_closing_message = spec.send_closing_message
    row.closing_message = spec.closing_message
    row.closing_translations = spec.closing_translations
    row.save()
    audit("followup_settings.updated", account=account, actor=by.agent, obj=row,
          auto_resolve_days=spec.days, send_closing_message=spec.send_closing_message)
    return row
