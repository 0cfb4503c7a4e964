"""Reads for inboxes and conversations, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from storedesk.accounts.models import Membership, Team
from storedesk.core.lookup import get_or_404
from storedesk.inbox.models import Attachment, Conversation, Inbox, Message


def visible_conversations(membership: Membership) -> QuerySet[Conversation]:
    """Every conversation of the account; light agents only their teams' (or assigned to them)."""
    qs = Conversation.objects.filter(account_id=membership.account_id)
    if membership.is_light:
        team_ids = list(membership.teams.values_list("pk", flat=True))
        qs = qs.filter(Q(team_id__in=team_ids) | Q(assignee=membership))
    return qs


def get_conversation(membership: Membership, conversation_id: int) -> Conversation:
    return get_or_404(
        visible_conversations(membership).select_related(
            "inbox", "contact", "assignee__agent", "team"
        ),
        "Conversation",
        pk=conversation_id,
    )


def get_conversation_by_display_id(membership: Membership, display_id: int) -> Conversation:
    return get_or_404(
        visible_conversations(membership).select_related(
            "inbox", "contact", "assignee__agent", "team"
        ),
        "Conversation",
        display_id=display_id,
    )


def visible_inboxes(membership: Membership) -> QuerySet[Inbox]:
    return Inbox.objects.filter(account_id=membership.account_id)


def get_inbox(membership: Membership, inbox_id: int) -> Inbox:
    return get_or_404(visible_inboxes(membership), "Inbox", pk=inbox_id)


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
    return get_or_404(
        Membership.objects.select_related("agent").filter(account_id=membership.account_id),
        "Agent",
        pk=membership_id,
    )


def get_message(membership: Membership, message_id: int) -> Message:
    """A message whose conversation the actor may see (light agents: their teams only)."""
    return get_or_404(
        Message.objects.select_related("conversation").filter(
            account_id=membership.account_id, conversation__in=visible_conversations(membership)
        ),
        "Message",
        pk=message_id,
    )


def get_attachment(membership: Membership, attachment_id: int) -> Attachment:
    return get_or_404(
        Attachment.objects.select_related("message").filter(
            account_id=membership.account_id,
            message__conversation__in=visible_conversations(membership),
        ),
        "Attachment",
        pk=attachment_id,
    )


def get_team(membership: Membership, team_id: int) -> Team:
    return get_or_404(Team.objects.filter(account_id=membership.account_id), "Team", pk=team_id)


def last_read_incoming(account_id: int, conversation_id: int) -> int | None:
    """The id of the newest customer message an agent of the account has read (opened the
    conversation after it came in), for the shopper's "Seen"; None before any read."""
    from django.db.models import Max

    from storedesk.inbox.models import ConversationRead, Direction

    read_at = ConversationRead.objects.filter(
        conversation_id=conversation_id, conversation__account_id=account_id
    ).aggregate(at=Max("last_read_at"))["at"]
    if read_at is None:
        return None
    return (
        Message.objects.filter(account_id=account_id, conversation_id=conversation_id,
                               direction=Direction.INCOMING, created_at__lte=read_at)
        .order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    )
