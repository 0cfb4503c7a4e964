"""Reads for the assistant's pages and panels, each scoped to the agent's account."""

from __future__ import annotations

from storedesk.accounts.models import Membership
from storedesk.assistant.models import (
    AssistantSettings,
    ConversationState,
    InboxAssistant,
    Mode,
    Suggestion,
    SuggestionStatus,
)
from storedesk.core.lookup import get_or_404
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.models import Conversation, Inbox


def inbox_modes(membership: Membership) -> list[tuple[Inbox, str]]:
    inboxes = list(Inbox.objects.filter(account_id=membership.account_id).order_by("name"))
    modes = dict(InboxAssistant.objects.filter(account_id=membership.account_id)
                 .values_list("inbox_id", "mode"))
    return [(inbox, modes.get(inbox.pk, Mode.OFF)) for inbox in inboxes]


def get_inbox(membership: Membership, inbox_id: int) -> Inbox:
    return get_or_404(Inbox.objects.filter(account_id=membership.account_id), "Inbox",
                      pk=inbox_id)


def get_suggestion(membership: Membership, conversation: Conversation,
                   suggestion_id: int) -> Suggestion:
    return get_or_404(Suggestion.objects.filter(account_id=membership.account_id,
                                                conversation=conversation),
                      "Suggestion", pk=suggestion_id)


def pending_suggestion(conversation: Conversation) -> Suggestion | None:
    return (Suggestion.objects.filter(conversation=conversation,
                                      status=SuggestionStatus.PENDING)
            .order_by("-created_at", "-pk").first())


def state_of(conversation: Conversation) -> ConversationState | None:
    return ConversationState.objects.filter(conversation=conversation).first()


def settings_of(membership: Membership) -> AssistantSettings | None:
    return AssistantSettings.objects.filter(account_id=membership.account_id).first()


def labelled_examples(account_id: int, limit: int = 20000) -> list[tuple[str, str]]:
    """(text, intent) for each conversation whose intent an agent set: the shopper's first
    message, labelled with the intent the agent chose last."""
    latest: dict[int, tuple[str, str]] = {}
    rows = (Event.objects.filter(account_id=account_id, kind=EventKind.CONVERSATION_INTENT_SET)
            .order_by("created_at", "pk").values_list("conversation_id", "actor_type", "data"))
    for conversation_id, actor_type, data in rows.iterator():
        if conversation_id is not None:
            latest[conversation_id] = (actor_type, str((data or {}).get("new") or ""))
    labelled = {cid: label for cid, (actor, label) in latest.items()
                if actor == "agent" and label}
    if not labelled:
        return []
    firsts: dict[int, str] = {}
    from storedesk.inbox.models import Message

    messages = (Message.objects.filter(account_id=account_id, conversation_id__in=labelled,
                                       direction="incoming", private=False)
                .order_by("conversation_id", "created_at", "pk")
                .values_list("conversation_id", "text"))
    for conversation_id, text in messages.iterator():
        if conversation_id not in firsts and text.strip():
            firsts[conversation_id] = text.strip()
    return [(firsts[cid], labelled[cid]) for cid in sorted(firsts)][:limit]
