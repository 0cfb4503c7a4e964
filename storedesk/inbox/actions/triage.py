"""What the assistant and rules set on a conversation: language, intent, hand-off to a human."""

from __future__ import annotations

import re

from django.db import transaction

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.inbox.actions._shared import _locked, _publish_conversation
from storedesk.inbox.actions.replies import add_note
from storedesk.inbox.events import record_event
from storedesk.inbox.models import Conversation, Status

# A BCP 47 tag as short as the column allows: "en", "pl", "pt-br", "zh-hant".
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")
# An intent is a short machine name: "order_status", "refund.request", "shipping:delay".
INTENT_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
MAX_SUMMARY_CHARS = 4000


@transaction.atomic
def set_language(conversation: Conversation, actor: Actor, language: str) -> Conversation:
    """Set (or clear, with "") the language the conversation is held in."""
    language = language.strip().lower()
    if language and not LANGUAGE_RE.match(language):
        raise ActionError(f"{language[:20]!r} is not a language code like 'en' or 'pt-br'.")
    conversation = _locked(conversation)
    if conversation.language == language:
        return conversation
    previous = conversation.language
    conversation.language = language
    conversation.save(update_fields=["language", "updated_at"])
    record_event(conversation, EventKind.CONVERSATION_LANGUAGE_SET, actor,
                 old=previous, new=language)
    _publish_conversation(conversation)
    return conversation


@transaction.atomic
def set_intent(conversation: Conversation, actor: Actor, intent: str) -> Conversation:
    """Set (or clear, with "") what the shopper wants, as a short machine name."""
    intent = intent.strip().lower()
    if intent and not INTENT_RE.match(intent):
        raise ActionError("An intent is 1-64 lowercase letters, digits or . : _ -")
    conversation = _locked(conversation)
    if conversation.intent == intent:
        return conversation
    previous = conversation.intent
    conversation.intent = intent
    conversation.save(update_fields=["intent", "updated_at"])
    record_event(conversation, EventKind.CONVERSATION_INTENT_SET, actor, old=previous, new=intent)
    _publish_conversation(conversation)
    return conversation


@transaction.atomic
def hand_off(conversation: Conversation, actor: Actor, summary: str) -> Conversation:
    """Hand the conversation to a human: flag it and leave the team a private summary note.

    Writes `note.added` (the summary) and `conversation.handed_off` (pointing at the note).
    Handing off again (the shopper came back later) writes a new summary and event.
    """
    summary = summary.strip()
    if not summary:
        raise ActionError("A hand-off needs a summary for the agent who takes over.")
    if len(summary) > MAX_SUMMARY_CHARS:
        raise ActionError(f"The summary is longer than {MAX_SUMMARY_CHARS} characters.")
    conversation = _locked(conversation)
    if conversation.status == Status.CLOSED:
        raise ActionError("This conversation is closed.")
    note = add_note(conversation, actor, summary)
    was_handed_off = conversation.handoff
    if not was_handed_off:
        conversation.handoff = True
        conversation.save(update_fields=["handoff", "updated_at"])
    record_event(conversation, EventKind.CONVERSATION_HANDED_OFF, actor,
                 note_id=note.pk, again=was_handed_off)
    _publish_conversation(conversation)
    return conversation
