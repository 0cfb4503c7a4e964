"""Inboxes, conversations and messages (their timeline is `storedesk.events.models.Event`)."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel
from storedesk.core.sealing import Sealer
from storedesk.inbox.channels import channel_choices
from storedesk.outbox.models import OutboundStatus, OutboxRow  # noqa: F401 - OutboundStatus re-exported

# The inbox's signing secret is sealed at rest (core/sealing.py, this salt): HMAC needs the
# plain value, so it cannot be hashed; `Inbox.signing_secret()` opens it where it is used.
SEALER = Sealer(b"storedesk.inbox.secrets")


def _new_secret() -> str:
    """A plain secret: the default of the column before sealing (migrations 0001-0008)."""
    return secrets.token_urlsafe(32)


def _new_sealed_secret() -> str:
    return SEALER.seal(_new_secret())


class Inbox(TenantModel):
    """One connector configuration: an email address, a chat widget, an API endpoint..."""

    name = models.CharField(max_length=200)
    # A kind from connectors/registry.py (handed to the inbox as a callable, see channels.py).
    channel = models.CharField(max_length=16, choices=channel_choices)
    # The connector's typed settings, stored as its schema dumps them (secrets sealed: see
    # storedesk/connectors/secrets.py and core/sealing.py). Written only through the
    # connectors' setup actions.
    config = models.JSONField(default=dict, blank=True)
    # Signs outbound webhooks and verifies inbound ones for this inbox; sealed (see
    # `signing_secret`), shown once to the admin who made the inbox.
    secret = models.CharField(max_length=400, default=_new_sealed_secret)
    store = models.ForeignKey(
        "commerce.Store", on_delete=models.SET_NULL, null=True, blank=True, related_name="inboxes"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="inboxes"
    )
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name

    def signing_secret(self) -> str:
        """The plain secret, for HMAC at send / verify time (raises core.sealing.Unreadable
        when no configured key opens it). Opened once per process: `core/sealing.py` caches it
        keyed by the sealed value and the key set, so every webhook or widget request after
        the first costs no decryption, and a rotated secret (a new sealed value) or a changed
        key configuration takes effect at once."""
        return SEALER.reveal(self.secret)


class Tag(TenantModel):
    name = models.CharField(max_length=64)
    color = models.CharField(max_length=7, default="#6b7280")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="tag_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Conversation(TenantModel):
    # No index of its own on `account` nor `identity`: every composite index below starts with
    # one of them (each index costs every write, and an import writes conversations in bulk).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    display_id = models.PositiveIntegerField()
    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="conversations")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="conversations"
    )
    identity = models.ForeignKey(
        "contacts.ContactIdentity", on_delete=models.CASCADE, related_name="conversations",
        db_index=False,
    )
    store = models.ForeignKey(
        "commerce.Store", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    # Numeric mirror of priority so the inbox can sort by it with an index.
    priority_rank = models.PositiveSmallIntegerField(default=1)
    assignee = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, related_name="conversations", blank=True)
    subject = models.CharField(max_length=255, blank=True)
    # `core.folding.fold(subject)`, written with the subject: what the list search matches.
    search_subject = models.CharField(max_length=512, blank=True, default="", editable=False)
    language = models.CharField(max_length=8, blank=True)
    intent = models.CharField(max_length=64, blank=True)
    # True once the assistant handed the conversation to a human.
    handoff = models.BooleanField(default=False)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_incoming_at = models.DateTimeField(null=True, blank=True)
    # When the shopper started waiting for an answer (first unanswered incoming message).
    waiting_since = models.DateTimeField(null=True, blank=True)
    first_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "display_id"], name="conv_display_unique"),
        ]
        # The list's other orders (newest first, by priority; per assignee, inbox, team) are
        # backend-specific indexes outside the model state: PostgreSQL's with NULLS LAST
        # (migration 0002), SQLite's `-last_message_at` ones from 0001 (see migration 0009).
        indexes: ClassVar = [
            models.Index(fields=["account", "status", "waiting_since", "id"]),
            models.Index(fields=["identity", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.display_id}"


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")
    ACTIVITY = "activity", _("Activity")


class SenderType(models.TextChoices):
    CONTACT = "contact", _("Contact")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class DeliveryStatus(models.TextChoices):
    # Incoming messages are "received"; outgoing ones move pending -> sent/failed (then a
    # provider's receipts: delivered, read). Private notes are never delivered: "internal".
    RECEIVED = "received", _("Received")
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    INTERNAL = "internal", _("Internal note")


class Message(TenantModel):
    # Indexed by (conversation, created_at, id) below: no index of its own.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    sender_type = models.CharField(max_length=8, choices=SenderType.choices)
    sender_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender_contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)
    # `core.folding.fold(text)`, written with the text: what the list search matches.
    search_text = models.TextField(blank=True, default="", editable=False)
    # Sanitised with nh3 before it is stored; never rendered unsanitised.
    html = models.TextField(null=True, blank=True)
    private = models.BooleanField(default=False)
    # The provider's id for this message (email Message-ID, webhook message id...).
    source_id = models.CharField(max_length=255, null=True, blank=True)
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    delivery_error = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # "text", or a structured kind (choices, cards, article, order: see inbox/content.py) whose
    # validated data is `content`; `text` then holds the plain-text fallback.
    content_type = models.CharField(
        max_length=16,
        default="text",
        choices=[(k, k) for k in ("text", "choices", "cards", "article", "order")],
    )
    content = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["inbox", "source_id"],
                condition=Q(source_id__isnull=False),
                name="message_source_unique",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["conversation", "created_at", "id"])]


def attachment_key() -> str:
    return secrets.token_hex(20)


class Attachment(TenantModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    # Server-generated storage key; the client's filename is kept only for display.
    storage_key = models.CharField(max_length=64, unique=True, default=attachment_key)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)


class Mention(TenantModel):
    """A teammate @mentioned in a private note; drives the Mentions view."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="mentions"
    )
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="mentions"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["message", "membership"], name="mention_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["membership", "conversation"])]

    def __str__(self) -> str:
        return f"membership {self.membership_id} in message {self.message_id}"


class ConversationRead(models.Model):
    """When an agent last looked at a conversation (drives unread indicators)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "agent"], name="read_unique"),
        ]

    def __str__(self) -> str:
        return f"agent {self.agent_id} read conversation {self.conversation_id}"


class Delivery(OutboxRow):
    """One outgoing message handed to a connector's transport: a row of the shared outbox.

    Workers claim a row with a conditional UPDATE and a lease (`storedesk.outbox.engine`); a
    worker that dies mid-send leaves the lease to expire and another worker takes over. The row
    id travels with the delivery as an idempotency key, so a receiver can drop a repeat.
    """

    OUTBOX_KIND = "message"  # the kind in config/outbox.py

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="delivery")
    provider_message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["status", "next_attempt_at"])]
