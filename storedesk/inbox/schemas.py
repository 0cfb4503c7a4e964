"""API schemas for inboxes, conversations and messages (explicit fields only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Schema

from storedesk.core.validation import (
    DbId,
    SafeDatetime,
    SafeStr,
    model_max_length,
)
from storedesk.inbox.content import ContentTypeName, StructuredContent
from storedesk.inbox.models import Conversation, Message, Tag

MAX_TEXT = 100_000  # the inbox actions' MAX_TEXT_CHARS

MAX_PAGE = 100

# --- Inboxes --------------------------------------------------------------------------------


class InboxOut(Schema):
    id: int
    name: str
    channel: str
    store_id: int | None
    team_id: int | None
    is_active: bool
    created_at: datetime


# --- Conversations --------------------------------------------------------------------------


class ContactRef(Schema):
    id: int
    name: str
    email: str


class AgentRef(Schema):
    id: int = Field(..., description="The membership id (use it to assign).")
    name: str
    email: str


class TeamRef(Schema):
    id: int
    name: str


class ConversationOut(Schema):
    id: int
    display_id: int
    inbox_id: int
    contact: ContactRef
    status: str
    priority: str
    assignee: AgentRef | None
    team: TeamRef | None
    tags: list[str]
    language: str
    intent: str
    handoff: bool
    subject: str
    message_count: int
    snoozed_until: datetime | None
    waiting_since: datetime | None
    last_message_at: datetime | None
    created_at: datetime

    visible: bool = Field(
        True, description="False when your change moved it out of your view (reads now 404)."
    )

    @staticmethod
    def resolve_visible(obj: Conversation) -> bool:
        return bool(getattr(obj, "visible", True))

    @staticmethod
    def resolve_assignee(obj: Conversation) -> dict[str, Any] | None:
        if obj.assignee_id is None:
            return None
        member = obj.assignee
        assert member is not None
        return {"id": member.pk, "name": member.agent.display_name, "email": member.agent.email}

    @staticmethod
    def resolve_tags(obj: Conversation) -> list[str]:
        return sorted(t.name for t in obj.tags.all())


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("api:attachment", kwargs={"attachment_id": obj.pk})


class MessageOut(Schema):
    id: int
    conversation_id: int
    direction: str
    sender_type: str
    sender_agent_id: int | None
    text: str
    html: str | None
    private: bool
    created_at: datetime
    delivery_status: str
    delivery_error: str
    content_type: str = Field(..., description="`text`, `choices`, `cards`, `article`, `order`")
    content: dict[str, Any] | None = Field(
        None, description="The structured content (null for text messages)."
    )
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_content(obj: Message) -> dict[str, Any] | None:
        return obj.content if obj.content_type != "text" else None

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Any]:
        return list(obj.attachments.all())


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class MessageIn(Schema):
    text: SafeStr = Field(
        "", max_length=MAX_TEXT,
        description="The text; for a structured reply, its plain-text fallback (built from "
        "`content` when left empty).",
    )
    content_type: ContentTypeName = Field(
        "text", description="`text`, or a structured kind for the widget and bots."
    )
    content: StructuredContent | None = Field(
        None, description="With a structured `content_type`: its data (see the schemas)."
    )
    private: bool = Field(False, description="True writes a private note for the team.")


class AssignIn(Schema):
    assignee_id: DbId | None = Field(None, description="A membership id, or null to unassign.")
    team_id: DbId | None = Field(
        None, description="A team id or null; leave the field out to keep the current team."
    )


class StatusIn(Schema):
    status: Literal["open", "pending", "snoozed", "resolved", "closed"]
    snoozed_until: SafeDatetime | None = Field(
        None, description="With `snoozed`: when it wakes up (with a timezone offset)."
    )


class PriorityIn(Schema):
    priority: Literal["low", "normal", "high", "urgent"]


class TagIn(Schema):
    name: SafeStr = Field(..., min_length=1, max_length=model_max_length(Tag, "name"))


class DeliveryOut(Schema):
    message_id: int
    status: str
    attempts: int
