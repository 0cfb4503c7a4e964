"""The workspace's own rows: what an agent is typing (drafts) and signatures."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from storedesk.core.models import TenantModel


class DraftMode(models.TextChoices):
    REPLY = "reply", "Reply"
    NOTE = "note", "Private note"


class Draft(TenantModel):
    """One agent's unsent text for one conversation and mode (reply and note kept apart).

    Saved from the composer as the agent types, so it survives a switch, a reload and another
    device; cleared when that mode's message is sent.
    """

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    mode = models.CharField(max_length=5, choices=DraftMode.choices)
    text = models.TextField(blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["membership", "conversation", "mode"], name="one_draft_per_mode"
            )
        ]


class Signature(TenantModel):
    """A reply signature: an agent's own (membership set) or an inbox's (inbox set).

    A reply gets the agent's signature, else the inbox's; plain text, appended when sent.
    """

    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    inbox = models.OneToOneField(
        "inbox.Inbox", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    models.Q(membership__isnull=False, inbox__isnull=True)
                    | models.Q(membership__isnull=True, inbox__isnull=False)
                ),
                name="signature_of_agent_or_inbox",
            )
        ]
