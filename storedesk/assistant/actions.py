"""Every write of the assistant app (settings, per-inbox mode, conversation state, bot actions,
suggestions, the account's model). Order, message and conversation rows are written by their
own apps' actions; these call them where needed.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership
from storedesk.accounts.permissions import Perm, require
from storedesk.assistant import replies
from storedesk.assistant.models import (
    AssistantSettings,
    BotAction,
    ConversationState,
    InboxAssistant,
    Mode,
    ModelStatus,
    Suggestion,
    SuggestionStatus,
)
from storedesk.commerce.models import Order
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.inbox import actions as inbox_actions
from storedesk.inbox.models import Conversation, Inbox, Message

# --- Settings -------------------------------------------------------------------------------


def settings_for(account_id: int) -> AssistantSettings:
    found = AssistantSettings.objects.filter(account_id=account_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AssistantSettings.objects.create(account_id=account_id)
    except IntegrityError:
        return AssistantSettings.objects.get(account_id=account_id)


@transaction.atomic
def set_inbox_mode(inbox: Inbox, mode: str, *, by: Membership | None = None) -> InboxAssistant:
    """Turn the assistant off, to suggest-only, or on (answering shoppers) for one inbox."""
    if by is not None:
        require(Actor.agent(by), Perm.MANAGE_SETTINGS)
    if mode not in Mode.values:
        raise ActionError(f"Unknown assistant mode {mode!r}.")
    row = InboxAssistant.objects.select_for_update().filter(inbox=inbox).first()
    old = row.mode if row is not None else Mode.OFF
    if row is None:
        row = InboxAssistant.objects.create(inbox=inbox, account_id=inbox.account_id, mode=mode)
    elif row.mode != mode:
        row.mode = mode
        row.save(update_fields=["mode", "updated_at"])
    if old != mode:
        audit("assistant.mode_set", account=inbox.account_id, actor=by.agent if by else None,
              obj=inbox, old=old, new=mode)
    return row


@transaction.atomic
def set_permissions(account_id: int, *, may_cancel: bool, may_start_returns: bool,
                    by: Membership, may_change_address: bool | None = None,
                    may_change_items: bool | None = None) -> AssistantSettings:
    require(Actor.agent(by), Perm.MANAGE_SETTINGS)
    row = AssistantSettings.objects.select_for_update().get(pk=settings_for(account_id).pk)
    row.may_cancel = may_cancel
    row.may_start_returns = may_start_returns
    if may_change_address is not None:
        row.may_change_address = may_change_address
    if may_change_items is not None:
        row.may_change_items = may_change_items
    row.save(update_fields=["may_cancel", "may_start_returns", "may_change_address",
                            "may_change_items", "updated_at"])
    audit("assistant.permissions_set", account=account_id, actor=by.agent, obj=row,
          may_cancel=may_cancel, may_start_returns=may_start_returns,
          may_change_address=row.may_change_address, may_change_items=row.may_change_items)
    return row


@transaction.atomic
def set_reply_override(account_id: int, key: str, language: str, text: str, *,
                       by: Membership) -> AssistantSettings:
    """Replace one reply text for one language ("" goes back to the shipped text)."""
    require(Actor.agent(by), Perm.MANAGE_SETTINGS)
    if key not in replies.DEFAULTS:
        raise ActionError(f"Unknown reply {key!r}.")
    if language not in replies.LANGUAGES:
        raise ActionError(f"Unknown language {language!r}.")
    text = text.strip()
    if len(text) > 2000:
        raise ActionError("A reply is at most 2,000 characters.")
    if text:
        problem = replies.check_override(key, text)
        if problem:
            raise ActionError(problem)
    row = AssistantSettings.objects.select_for_update().get(pk=settings_for(account_id).pk)
    overrides: dict[str, Any] = dict(row.reply_overrides or {})
    per_key = dict(overrides.get(key) or {})
    if text and text != replies.default_text(key, language):
        per_key[language] = text
    else:
        per_key.pop(language, None)
    if per_key:
        overrides[key] = per_key
    else:
        overrides.pop(key, None)
    row.reply_overrides = overrides
    row.save(update_fields=["reply_overrides", "updated_at"])
    audit("assistant.reply_set", account=account_id, actor=by.agent, obj=row, key=key,
          language=language, custom=bool(per_key.get(language)))
    return row


# --- Conversation state ---------------------------------------------------------------------


def state_for(conversation: Conversation) -> ConversationState:
    """The bot's memory of the conversation, locked for this transaction."""
    ConversationState.objects.get_or_create(
        conversation=conversation,
        defaults={"account_id": conversation.account_id, "active_since": timezone.now()})
    return ConversationState.objects.select_for_update().get(conversation=conversation)


def record_bot_action(conversation: Conversation, order: Order, intent: str, outcome: str,
                      data: dict[str, Any]) -> BotAction:
    row, _ = BotAction.objects.get_or_create(
        conversation=conversation, intent=intent, order=order,
        defaults={"account_id": conversation.account_id, "outcome": outcome, "data": data})
    return row


def record_verified(conversation: Conversation, actor: Actor, order: Order) -> None:
    inbox_actions.add_timeline_event(conversation, actor, EventKind.ASSISTANT_VERIFIED,
                                     order_id=order.pk, order_number=order.number)


def record_request(conversation: Conversation, actor: Actor, order: Order | None,
                   requests: list[str], intent: str) -> None:
    inbox_actions.add_timeline_event(
        conversation, actor, EventKind.ASSISTANT_REQUEST_FILED, intent=intent,
        order_id=order.pk if order else None, order_number=order.number if order else "",
        requests=requests[:5])


@transaction.atomic
def resume(conversation: Conversation, by: Membership) -> ConversationState:
    """An agent hands the conversation back to the bot."""
    require(Actor.agent(by), Perm.WORK_CONVERSATIONS)
    state = state_for(conversation)
    state.quiet = False
    state.pending = {}
    state.failed_checks = 0
    state.active_since = timezone.now()
    state.save()
    inbox_actions.add_timeline_event(conversation, Actor.agent(by), EventKind.ASSISTANT_RESUMED)
    return state


@transaction.atomic
def wake_after_resolution(conversation: Conversation) -> None:
    """Resolved or closed: the next time the shopper writes, the bot helps again."""
    state = ConversationState.objects.select_for_update().filter(
        conversation=conversation).first()
    if state is None:
        return
    state.quiet = False
    state.pending = {}
    state.failed_checks = 0
    state.active_since = timezone.now()
    state.save()


@transaction.atomic
def label_intent(conversation: Conversation, intent: str, by: Membership) -> Conversation:
    """An agent says what the shopper wanted: the label the account's model learns from."""
    from storedesk.assistant import nlu

    require(Actor.agent(by), Perm.WORK_CONVERSATIONS)
    if intent not in nlu.INTENTS:
        raise ActionError(f"Unknown intent {intent!r}.")
    conversation = inbox_actions.set_intent(conversation, Actor.agent(by), "")
    return inbox_actions.set_intent(conversation, Actor.agent(by), intent)


# --- Suggestions (suggest-only mode) --------------------------------------------------------


def create_suggestion(conversation: Conversation, actor: Actor, text: str, *, intent: str,
                      reply_key: str, message: Message | None) -> Suggestion:
    Suggestion.objects.filter(conversation=conversation, status=SuggestionStatus.PENDING).update(
        status=SuggestionStatus.DISMISSED, updated_at=timezone.now())
    suggestion = Suggestion.objects.create(
        account_id=conversation.account_id, conversation=conversation, text=text,
        intent=intent, reply_key=reply_key, message=message)
    inbox_actions.add_timeline_event(conversation, actor, EventKind.ASSISTANT_SUGGESTED,
                                     suggestion_id=suggestion.pk, intent=intent)
    return suggestion


@transaction.atomic
def send_suggestion(suggestion: Suggestion, by: Membership, text: str | None = None) -> Message:
    """One click: the agent sends the bot's suggested reply (as edited) as their own."""
    require(Actor.agent(by), Perm.WORK_CONVERSATIONS)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise ActionError("This suggestion was already used or dismissed.")
    body = (text if text is not None else suggestion.text).strip()
    message = inbox_actions.send_reply(suggestion.conversation, Actor.agent(by), body)
    suggestion.status = SuggestionStatus.SENT
    suggestion.save(update_fields=["status", "updated_at"])
    return message


@transaction.atomic
def dismiss_suggestion(suggestion: Suggestion, by: Membership) -> Suggestion:
    require(Actor.agent(by), Perm.WORK_CONVERSATIONS)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status == SuggestionStatus.PENDING:
        suggestion.status = SuggestionStatus.DISMISSED
        suggestion.save(update_fields=["status", "updated_at"])
    return suggestion


# --- The account's model --------------------------------------------------------------------


@transaction.atomic
def mark_training(account_id: int, *, by: Membership) -> AssistantSettings:
    require(Actor.agent(by), Perm.MANAGE_SETTINGS)
    row = AssistantSettings.objects.select_for_update().get(pk=settings_for(account_id).pk)
    row.model_report = {**(row.model_report or {}), "training_since": timezone.now().isoformat()}
    row.save(update_fields=["model_report", "updated_at"])
    audit("assistant.retrain_requested", account=account_id, actor=by.agent, obj=row)
    return row


@transaction.atomic
def store_model(account_id: int, data: bytes | None, report: dict[str, Any]) -> AssistantSettings:
    """Keep a newly trained model (data None: training found too little; only the report)."""
    row = AssistantSettings.objects.select_for_update().get(pk=settings_for(account_id).pk)
    row.model_report = report
    row.model_trained_at = timezone.now()
    fields = ["model_report", "model_trained_at", "updated_at"]
    if data is not None:
        row.model_data = data
        row.model_version += 1
        row.model_status = ModelStatus.CUSTOM
        fields += ["model_data", "model_version", "model_status"]
    # Without a new model the one in use stays in use; the report says why.
    row.save(update_fields=fields)
    audit("assistant.model_trained", account=account_id, obj=row,
          kept=data is not None, accuracy=report.get("accuracy"))
    return row


@transaction.atomic
def use_shipped_model(account_id: int, *, by: Membership) -> AssistantSettings:
    """Go back to the shipped model (the account's own one is dropped)."""
    require(Actor.agent(by), Perm.MANAGE_SETTINGS)
    row = AssistantSettings.objects.select_for_update().get(pk=settings_for(account_id).pk)
    row.model_data = None
    row.model_status = ModelStatus.SHIPPED
    row.model_version += 1
    row.save(update_fields=["model_data", "model_status", "model_version", "updated_at"])
    audit("assistant.model_reset", account=account_id, actor=by.agent, obj=row)
    return row
