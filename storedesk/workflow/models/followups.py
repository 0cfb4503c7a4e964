"""Follow-ups: replies scheduled for later, reminders, and the per-account auto-resolve setting.

Each timer row is fired by the worker exactly once: the row is claimed by one conditional
UPDATE (`status='scheduled'` → another status, or `fired_at IS NULL` → now) inside the
transaction that does the work, so a second worker finds nothing left to claim.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class ScheduledStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Not sent")


class CancelReason(models.TextChoices):
    AGENT = "agent", _("Cancelled by an agent")
    CUSTOMER_REPLIED = "customer_replied", _("The customer replied first")
    MERGED = "merged", _("The customer was merged into another contact")
    CLOSED = "closed", _("The conversation was closed")
    AGENT_INACTIVE = "agent_inactive", _("Its author is no longer a member of the team")


class ScheduledReply(TenantModel):
    """A reply written now and sent at `send_at` through `inbox.actions.send_reply`.

    `text`/`html` are what the message will store (the composer's Markdown rendered, with the
    signature), `metadata` what it keeps besides (the Markdown source for editing). The row is
    deleted with its conversation, so a deleted conversation never gets it.
    """

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    # The contact when it was scheduled: a merge moves the conversation to another contact,
    # and the reply is then cancelled rather than sent to a conversation that changed hands.
    contact_id_at_schedule = models.BigIntegerField()
    author = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    html = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    send_at = models.DateTimeField()
    cancel_if_customer_replies = models.BooleanField(default=True)
    status = models.CharField(max_length=12, choices=ScheduledStatus.choices,
                              default=ScheduledStatus.SCHEDULED)
    reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    error = models.CharField(max_length=300, blank=True)
    message = models.ForeignKey("inbox.Message", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["send_at"], condition=Q(status="scheduled"),
                         name="scheduled_reply_due"),
            models.Index(fields=["conversation", "status"], name="scheduled_reply_conv"),
        ]

    def __str__(self) -> str:
        return f"reply scheduled for {self.send_at:%Y-%m-%d %H:%M} on {self.conversation_id}"


class ReminderOutcome(models.TextChoices):
    NOTIFIED = "notified", _("Reminded")
    ANSWERED = "answered", _("The customer answered in time")
    CANCELLED = "cancelled", _("Cancelled")


class Reminder(TenantModel):
    """"Remind me" on a conversation: at `due_at` the conversation is reopened (unsnoozed) and
    `membership` is notified; with `only_if_no_reply`, only if the customer has not written
    since the reminder was set."""

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE,
                                   related_name="+")
    due_at = models.DateTimeField()
    only_if_no_reply = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=ReminderOutcome.choices, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["due_at"], condition=Q(fired_at__isnull=True),
                         name="reminder_due"),
        ]

    def __str__(self) -> str:
        return f"reminder for {self.membership_id} on {self.conversation_id} at {self.due_at}"


class FollowUpSettings(TenantModel):
    """Per account: resolve conversations waiting on the customer for `auto_resolve_days`
    calendar days (null: never), optionally with a closing message. `closing_message` blank
    means the built-in text, translated into the conversation's language by the catalogs;
    `closing_translations` ({language: text}) overrides it per language."""

    auto_resolve_days = models.PositiveSmallIntegerField(null=True, blank=True)
    send_closing_message = models.BooleanField(default=True)
    closing_message = models.TextField(blank=True, max_length=2000)
    closing_translations = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account"], name="followup_settings_account"),
        ]

    def __str__(self) -> str:
        return f"follow-up settings of account {self.account_id}"
