"""API schemas of follow-ups (scheduled replies, reminders, auto-resolve) and playbooks."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from storedesk.core.validation import DbId, SafeDatetime, SafeStr

MAX_REPLY = 100_000


class ScheduledReplyIn(Schema):
    text: SafeStr = Field(..., min_length=1, max_length=MAX_REPLY,
                          description="Markdown, rendered like a reply from the composer.")
    send_at: SafeDatetime = Field(..., description="With a time zone; within a year.")
    cancel_if_customer_replies: bool = Field(
        True, description="Do not send if the customer writes before `send_at`.")


class ScheduledReplyOut(Schema):
    id: int
    conversation_id: int
    author_id: int = Field(..., description="The membership that sends it.")
    text: str
    send_at: datetime
    cancel_if_customer_replies: bool
    status: str = Field(..., description="scheduled, sent, cancelled or failed (not sent).")
    reason: str = Field(..., description="Why it was cancelled: agent, customer_replied, "
                        "merged, closed, agent_inactive (empty otherwise).")
    error: str
    message_id: int | None = Field(..., description="The message, once sent.")
    created_at: datetime


class ReminderIn(Schema):
    due_at: SafeDatetime | None = Field(None, description="When; or `after_hours`.")
    after_hours: int | None = Field(None, ge=1, le=366 * 24,
                                    description="In this many hours (days × 24).")
    only_if_no_reply: bool = Field(
        False, description="Only if the customer has not written by then.")
    note: SafeStr = Field("", max_length=300)
    membership_id: DbId | None = Field(None, description="Whom to remind (default: you).")


class ReminderOut(Schema):
    id: int
    conversation_id: int
    membership_id: int
    due_at: datetime
    only_if_no_reply: bool
    note: str
    fired_at: datetime | None
    outcome: str = Field(..., description="notified, answered, cancelled (empty: waiting).")


class FollowUpSettingsIn(Schema):
    auto_resolve_days: int | None = Field(
        None, ge=1, le=365,
        description="Resolve conversations waiting on the customer this many calendar days; "
                    "null: never.")
    send_closing_message: bool = True
    closing_message: SafeStr = Field("", max_length=2000,
                                     description="Empty: the built-in text, translated.")
    closing_translations: dict[SafeStr, SafeStr] = Field(
        {}, description="{language: text}, the account's languages only.")


class FollowUpSettingsOut(Schema):
    auto_resolve_days: int | None
    send_closing_message: bool
    closing_message: str
    closing_translations: dict[str, str]


class PlaybookIn(Schema):
    name: SafeStr = Field(..., min_length=1, max_length=120)
    article_id: DbId = Field(..., description="An internal (agents-only) help-center article.")
    intents: list[SafeStr] = Field([], max_length=20)
    tags: list[SafeStr] = Field([], max_length=20)
    position: int = Field(0, ge=0, le=10_000)
    is_active: bool = True


class PlaybookOut(Schema):
    id: int
    name: str
    article_id: int
    article_slug: str
    intents: list[str]
    tags: list[str]
    position: int
    is_active: bool


class MatchedPlaybookOut(Schema):
    id: int
    name: str
    article_id: int
    title: str
    summary: str
    html: str
    language: str
    matched_intent: str
    matched_tags: list[str]
