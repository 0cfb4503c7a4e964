"""Follow-ups on the worker: scheduled replies go out, reminders fire, conversations waiting on
the customer resolve themselves. Every timer fires exactly once, even with several workers.

- **Scheduled replies**: `send_due_reply` claims the row with one conditional UPDATE
  (`status='scheduled' AND send_at <= now` → `sent`) in the transaction that calls
  `inbox.actions.send_reply` (the normal reply path: a pending message and its outbox row),
  so a second worker's UPDATE matches nothing (PostgreSQL: it waits for the first to commit and
  re-checks; SQLite: write transactions are serialised). It is not sent but cancelled when the
  conversation changed hands (its contact was merged into another), was closed, when its author
  left, or when the customer wrote after it was scheduled and "cancel if the customer replies"
  is on (the default; `on_customer_message` cancels it as soon as the message arrives, the check
  at send time covers a subscriber that has not run yet). A deleted conversation takes its
  scheduled replies with it (cascade).
- **Reminders**: `fire_due_reminder` claims `fired_at IS NULL` the same way; the conversation
  is reopened (snoozed / pending / resolved → open) and the agent notified through the
  mention path (a private note that @mentions them: the Mentions view and the realtime
  `mention.created` toast). "Only if no answer": a customer message first dismisses it.
- **Auto-resolve** (`auto_resolve_due`): per account, a conversation open or pending whose last
  public message is a reply (agent, bot or system) that went out, with no customer message
  since (`waiting_since` empty), for `auto_resolve_days` *calendar* days (wall-clock 24-hour
  days, not business hours: a shopper's silence counts on weekends too), gets the closing
  message and is resolved, under the conversation's row lock after re-checking all of that.
  The shopper's next message reopens it through `receive_message` (the one reopen path).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from storedesk.accounts.actor import SYSTEM, Actor
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.actions import add_note, add_timeline_event, change_status, send_reply
from storedesk.inbox.models import Conversation, Direction, Message, Status
from storedesk.workflow.actions_followups import finish_scheduled
from storedesk.workflow.models import (
    CancelReason,
    FollowUpSettings,
    Reminder,
    ReminderOutcome,
    ScheduledReply,
    ScheduledStatus,
)

BATCH = 200
DEFAULT_CLOSING_MESSAGE = gettext_noop(
    "We haven't heard back from you, so we have marked this conversation as resolved. "
    "If you still need help, just reply to this message.")
REMINDER_NOTE = gettext_noop("Reminder: follow up on this conversation.")
NO_ANSWER_NOTE = gettext_noop("Reminder: the customer has not answered yet. Follow up?")
REOPENABLE = (Status.SNOOZED, Status.PENDING, Status.RESOLVED)


# --- Scheduled replies ----------------------------------------------------------------------


def _customer_wrote_since(conversation: Conversation, since: datetime) -> bool:
    return Message.objects.filter(conversation=conversation, direction=Direction.INCOMING,
                                  created_at__gt=since).exists()


def _why_not_send(row: ScheduledReply, conversation: Conversation) -> str:
    if conversation.contact_id != row.contact_id_at_schedule:
        return CancelReason.MERGED
    if conversation.status == Status.CLOSED:
        return CancelReason.CLOSED
    if not row.author.is_active:
        return CancelReason.AGENT_INACTIVE
    if row.cancel_if_customer_replies and _customer_wrote_since(conversation, row.created_at):
        return CancelReason.CUSTOMER_REPLIED
    return ""


@transaction.atomic
def send_due_reply(scheduled_id: int, now: datetime) -> bool:
    """Send one scheduled reply if it is due and still scheduled; True when it went out."""
    claimed = ScheduledReply.objects.filter(
        pk=scheduled_id, status=ScheduledStatus.SCHEDULED, send_at__lte=now,
    ).update(status=ScheduledStatus.SENT, finished_at=now, updated_at=now)
    if not claimed:
        return False
    row = ScheduledReply.objects.select_related("author__agent").get(pk=scheduled_id)
    conversation = Conversation.objects.select_for_update().get(pk=row.conversation_id)
    reason = _why_not_send(row, conversation)
    if reason:
        finish_scheduled(row, ScheduledStatus.CANCELLED, SYSTEM, conversation, reason=reason)
        return False
    try:
        with transaction.atomic():
            message = send_reply(conversation, Actor.agent(row.author), row.text,
                                 html=row.html or None,
                                 metadata={**(row.metadata or {}), "scheduled_id": row.pk})
    except ActionError as exc:
        finish_scheduled(row, ScheduledStatus.FAILED, SYSTEM, conversation, error=exc.detail)
        return False
    ScheduledReply.objects.filter(pk=row.pk).update(message=message)
    add_timeline_event(conversation, SYSTEM, EventKind.FOLLOWUP_REPLY_SENT,
                       scheduled_id=row.pk, message_id=message.pk, author=row.author_id)
    return True


def due_reply_ids(now: datetime, limit: int = BATCH) -> list[int]:
    return list(ScheduledReply.objects.filter(status=ScheduledStatus.SCHEDULED,
                                              send_at__lte=now)
                .order_by("send_at", "pk").values_list("pk", flat=True)[:limit])


def send_due_replies(now: datetime) -> int:
    sent = 0
    while True:
        ids = due_reply_ids(now)
        sent += sum(send_due_reply(pk, now) for pk in ids)
        if len(ids) < BATCH:
            return sent


# --- Reminders ------------------------------------------------------------------------------


def _note_for(reminder: Reminder) -> str:
    agent = reminder.membership.agent
    with translation.override(agent.language or "en"):
        text = gettext(NO_ANSWER_NOTE if reminder.only_if_no_reply else REMINDER_NOTE)
    extra = f"\n{reminder.note}" if reminder.note else ""
    # The full address is the unambiguous handle add_note resolves into a mention.
    return f"@{agent.email} {text}{extra}"


@transaction.atomic
def fire_due_reminder(reminder_id: int, now: datetime) -> bool:
    """Fire one reminder if it is due and has not fired; True when it did something."""
    claimed = Reminder.objects.filter(pk=reminder_id, fired_at=None, due_at__lte=now).update(
        fired_at=now, outcome=ReminderOutcome.NOTIFIED, updated_at=now)
    if not claimed:
        return False
    reminder = Reminder.objects.select_related("membership__agent").get(pk=reminder_id)
    conversation = Conversation.objects.select_for_update().get(pk=reminder.conversation_id)
    if reminder.only_if_no_reply and _customer_wrote_since(conversation, reminder.created_at):
        Reminder.objects.filter(pk=reminder.pk).update(outcome=ReminderOutcome.ANSWERED)
        add_timeline_event(conversation, SYSTEM, EventKind.FOLLOWUP_REMINDER_FIRED,
                           reminder_id=reminder.pk, outcome=ReminderOutcome.ANSWERED,
                           reopened=False, **{"for": reminder.membership_id})
        return True
    reopened = conversation.status in REOPENABLE
    if reopened:
        conversation = change_status(conversation, SYSTEM, Status.OPEN)
    add_note(conversation, SYSTEM, _note_for(reminder))
    add_timeline_event(conversation, SYSTEM, EventKind.FOLLOWUP_REMINDER_FIRED,
                       reminder_id=reminder.pk, outcome=ReminderOutcome.NOTIFIED,
                       reopened=reopened, **{"for": reminder.membership_id})
    return True


def fire_due_reminders(now: datetime) -> int:
    fired = 0
    while True:
        ids = list(Reminder.objects.filter(fired_at=None, due_at__lte=now)
                   .order_by("due_at", "pk").values_list("pk", flat=True)[:BATCH])
        fired += sum(fire_due_reminder(pk, now) for pk in ids)
        if len(ids) < BATCH:
            return fired


# --- The customer wrote / the conversation changed hands -----------------------------------


@transaction.atomic
def on_customer_message(event: Event) -> int:
    """Cancel the scheduled replies marked "cancel if the customer replies" and dismiss the
    "only if no answer" reminders of the conversation that were set before this message."""
    if event.conversation_id is None or event.actor_type != "contact":
        return 0
    actor = SYSTEM.caused_by(event.pk)
    conversation = Conversation.objects.filter(pk=event.conversation_id).first()
    if conversation is None:
        return 0
    done = 0
    for row in (ScheduledReply.objects.select_for_update()
                .filter(conversation=conversation, status=ScheduledStatus.SCHEDULED,
                        cancel_if_customer_replies=True, created_at__lt=event.created_at)
                .order_by("pk")):
        finish_scheduled(row, ScheduledStatus.CANCELLED, actor, conversation,
                         reason=CancelReason.CUSTOMER_REPLIED)
        done += 1
    for reminder in Reminder.objects.filter(conversation=conversation, fired_at=None,
                                            only_if_no_reply=True,
                                            created_at__lt=event.created_at).order_by("pk"):
        if Reminder.objects.filter(pk=reminder.pk, fired_at=None).update(
                fired_at=event.created_at, outcome=ReminderOutcome.ANSWERED):
            add_timeline_event(conversation, actor, EventKind.FOLLOWUP_REMINDER_FIRED,
                               reminder_id=reminder.pk, outcome=ReminderOutcome.ANSWERED,
                               reopened=False, **{"for": reminder.membership_id})
            done += 1
    return done


@transaction.atomic
def on_contact_changed(event: Event) -> int:
    """A contact merge moved the conversation: its waiting replies are cancelled."""
    conversation = Conversation.objects.filter(pk=event.conversation_id or 0).first()
    if conversation is None:
        return 0
    rows = list(ScheduledReply.objects.select_for_update()
                .filter(conversation=conversation, status=ScheduledStatus.SCHEDULED)
                .exclude(contact_id_at_schedule=conversation.contact_id).order_by("pk"))
    for row in rows:
        finish_scheduled(row, ScheduledStatus.CANCELLED, SYSTEM.caused_by(event.pk),
                         conversation, reason=CancelReason.MERGED)
    return len(rows)


# --- Auto-resolve ---------------------------------------------------------------------------


def closing_message(settings: FollowUpSettings, language: str) -> str:
    """The account's text for this language, else its one text, else the built-in one in the
    conversation's language (English where no catalog has it)."""
    translations = settings.closing_translations or {}
    if language and translations.get(language):
        return str(translations[language])
    if settings.closing_message:
        return settings.closing_message
    with translation.override(language or "en"):
        return gettext(DEFAULT_CLOSING_MESSAGE)


def _waiting_on_customer(cutoff: datetime) -> Q:
    return Q(status__in=(Status.OPEN, Status.PENDING), waiting_since__isnull=True,
             last_message_at__lte=cutoff)


def _last_reply_went_out(conversation: Conversation) -> bool:
    last = (Message.objects.filter(conversation=conversation, private=False)
            .exclude(direction=Direction.ACTIVITY).order_by("-created_at", "-pk")
            .only("direction", "delivery_status").first())
    return (last is not None and last.direction == Direction.OUTGOING
            and last.delivery_status != "failed")


@transaction.atomic
def auto_resolve_one(conversation_id: int, settings: FollowUpSettings, now: datetime) -> bool:
    days = settings.auto_resolve_days
    if not days:
        return False
    cutoff = now - timedelta(days=days)
    conversation = (Conversation.objects.select_for_update()
                    .filter(_waiting_on_customer(cutoff), pk=conversation_id,
                            account_id=settings.account_id).first())
    if conversation is None or not _last_reply_went_out(conversation):
        return False
    message_id = None
    if settings.send_closing_message:
        text = closing_message(settings, conversation.language)
        message_id = send_reply(conversation, SYSTEM, text).pk
    change_status(conversation, SYSTEM, Status.RESOLVED)
    add_timeline_event(conversation, SYSTEM, EventKind.FOLLOWUP_AUTO_RESOLVED, days=days,
                       closing_message_id=message_id)
    return True


def auto_resolve_due(now: datetime) -> int:
    resolved = 0
    for settings in FollowUpSettings.objects.filter(auto_resolve_days__isnull=False):
        cutoff = now - timedelta(days=settings.auto_resolve_days or 0)
        after = 0
        while True:
            ids = list(Conversation.objects.filter(_waiting_on_customer(cutoff),
                                                   account_id=settings.account_id, pk__gt=after)
                       .order_by("pk").values_list("pk", flat=True)[:BATCH])
            resolved += sum(auto_resolve_one(pk, settings, now) for pk in ids)
            if len(ids) < BATCH:
                break
            after = ids[-1]
    return resolved
