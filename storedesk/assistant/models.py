"""The assistant's rows: per-account settings and model, per-inbox mode, per-conversation state.

Every row is tenant-owned and written only by `storedesk.assistant.actions`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class Mode(models.TextChoices):
    OFF = "off", _("Off")
    SUGGEST = "suggest", _("Suggest replies to agents")
    AUTO = "auto", _("Answer shoppers")


class ModelStatus(models.TextChoices):
    SHIPPED = "shipped", _("Shipped model")
    CUSTOM = "custom", _("Trained on this account")


class AssistantSettings(TenantModel):
    """One per account: reply overrides, what the bot may do itself, the account's own model."""

    # {reply key: {language: text}}; placeholders must match the default text's.
    reply_overrides = models.JSONField(default=dict, blank=True)
    # Order actions the assistant may take itself (otherwise it files a request for an agent).
    may_cancel = models.BooleanField(default=True)
    may_start_returns = models.BooleanField(default=True)
    # Take a new delivery address in the chat and apply it (after the shopper confirms it);
    # off: the bot files the change for an agent.
    may_change_address = models.BooleanField(default=False)
    # Swap an item of an unshipped order for another size or colour of the same product named
    # in the chat (after the shopper confirms it), through `commerce.edit_order_lines`;
    # off: the bot files the change for an agent.
    may_change_items = models.BooleanField(default=False)
    # The account's retrained intent model (`IntentModel.dumps()`), None: the shipped model.
    model_data = models.BinaryField(null=True, blank=True, editable=False)
    model_version = models.PositiveIntegerField(default=0)
    model_status = models.CharField(max_length=16, choices=ModelStatus.choices,
                                    default=ModelStatus.SHIPPED)
    model_trained_at = models.DateTimeField(null=True, blank=True)
    # What `nlu.evaluate` said on the held-out part of the labelled data (+ sizes, error).
    model_report = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account"], name="assistant_settings_account_unique"),
        ]


class InboxAssistant(TenantModel):
    """The per-inbox switch: off, suggest only, or answer shoppers."""

    inbox = models.OneToOneField("inbox.Inbox", on_delete=models.CASCADE,
                                 related_name="assistant")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.OFF)


class ConversationState(TenantModel):
    """What the bot remembers about one conversation.

    `verified_orders`: order ids whose number + email/postcode the shopper gave in the chat.
    `pending`: the question the bot asked and waits on ({"awaiting": "verification" |
    "order_choice" | "address" | "address_confirm", "intent": ..., "order_id"/"options": ...,
    "address": the address read back for a yes}).
    `quiet`: set by a hand-off; the bot stays out until an agent hands back or it is resolved.
    `last_message_id`: turns read the shopper's messages in order (see engine.unread_before).
    """

    conversation = models.OneToOneField("inbox.Conversation", on_delete=models.CASCADE,
                                        related_name="assistant_state")
    verified_orders = models.JSONField(default=list, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    pending = models.JSONField(default=dict, blank=True)
    quiet = models.BooleanField(default=False)
    # When the bot last (re)joined: agent replies before this do not silence it.
    active_since = models.DateTimeField(null=True, blank=True)
    last_intent = models.CharField(max_length=64, blank=True)
    last_confidence = models.FloatField(default=0.0)
    # The last texts the bot said (for the hand-off summary), newest last.
    said = models.JSONField(default=list, blank=True)
    # The newest shopper message a turn has read (with any unread ones before it): a turn
    # retried after a later one (deferred while the model loaded) has nothing left to answer.
    last_message_id = models.BigIntegerField(null=True, blank=True)


class BotAction(TenantModel):
    """One thing the bot did (or asked an agent to do) about one order in one conversation.

    Unique on (conversation, intent, order): the same request twice acts once.
    """

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    intent = models.CharField(max_length=64)
    order = models.ForeignKey("commerce.Order", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "intent", "order"],
                                    name="bot_action_once"),
        ]


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an agent")
    SENT = "sent", _("Sent")
    DISMISSED = "dismissed", _("Dismissed")


class Suggestion(TenantModel):
    """In "suggest only" mode: the reply the bot would have sent, for an agent to send."""

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="assistant_suggestions")
    text = models.TextField()
    intent = models.CharField(max_length=64, blank=True)
    reply_key = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.PENDING)
    message = models.ForeignKey("inbox.Message", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")

    class Meta:
        indexes: ClassVar = [models.Index(fields=["conversation", "status"])]
