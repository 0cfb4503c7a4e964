"""Reads for inboxes and conversations, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from storedesk.accounts.models import Membership, Team
from storedesk.core.errors import NotFound
from storedesk.inbox.models import Attachment, Conversation, Inbox, Message


def visible_conversations(membership: Membership) -> QuerySet[Conversation]:
    """Every conversation of the account; light agents only their teams' (or assigned to them)."""
    qs = Conversation.objects.filter(account_id=membership.account_id)
    if membership.is_light:
        team_ids = list(membership.teams.values_list("pk", flat=True))
        qs = qs.filter(Q(team_id__in=team_ids) | Q(assignee=membership))
    return qs


def get_conversation(membership: Membership, conversation_id: int) -> Conversation:
    conversation = (
        visible_conversations(membership)
        .select_related("inbox", "contact", "assignee__agent", "team")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise NotFound("Conversation not found.")
    return conversation


def get_conversation_by_display_id(membership: Membership, display_id: int) -> Conversation:
    conversation = (
        visible_conversations(membership)
        .select_related("inbox", "contact", "assignee__agent", "team")
        .filter(display_id=display_id)
        .first()
    )
    if conversation is None:
        raise NotFound("Conversation not found.")
    return conversation


def visible_inboxes(membership: Membership) -> QuerySet[Inbox]:
    return Inbox.objects.filter(account_id=membership.account_id)


def get_inbox(membership: Membership, inbox_id: int) -> Inbox:
    inbox = visible_inboxes(membership).filter(pk=inbox_id).first()
    if inbox is None:
        raise NotFound("Inbox not found.")
    return inbox


def conversation_messages(
    membership: Membership, conversation: Conversation
) -> QuerySet[Message]:
    """The thread, oldest first; `conversation` must come from get_conversation."""
    return (
        Message.objects.filter(account_id=membership.account_id, conversation=conversation)
        .select_related("sender_agent")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def get_membership(membership: Membership, membership_id: int) -> Membership:
    found = (
        Membership.objects.select_related("agent")
        .filter(account_id=membership.account_id, pk=membership_id)
        .first()
    )
    if found is None:
        raise NotFound("Agent not found.")
    return found


def get_message(membership: Membership, message_id: int) -> Message:
    """A message whose conversation the actor may see (light agents: their teams only)."""
    message = (
        Message.objects.select_related("conversation")
        .filter(account_id=membership.account_id, pk=message_id,
                conversation__in=visible_conversations(membership))
        .first()
    )
    if message is None:
        raise NotFound("Message not found.")
    return message


def get_attachment(membership: Membership, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("message")
        .filter(account_id=membership.account_id, pk=attachment_id,
                message__conversation__in=visible_conversations(membership))
        .first()
    )
    if attachment is None:
        raise NotFound("Attachment not found.")
    return attachment


def get_team(membership: Membership, team_id: int) -> Team:
    team = Team.objects.filter(account_id=membership.account_id, pk=team_id).first()
    if team is None:
        raise NotFound("Team not found.")
    return team
