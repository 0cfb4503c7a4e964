"""Rows of the email channel: where each watched IMAP folder stands, and dead letters."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class MailboxState(TenantModel):
    """One watched IMAP folder of an email inbox: UIDVALIDITY and the last UID filed.

    A UID is recorded only after its mail was committed (filed, dead-lettered or dropped as a
    duplicate), and \\Seen is set on the server after that. When the server's UIDVALIDITY
    changes, the folder's UIDs mean something else: we start over from the new UIDs and rely on
    Message-ID idempotency to skip what was filed before.
    """

    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="+")
    folder = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["inbox", "folder"], name="mailbox_state_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.inbox_id}:{self.folder} uidvalidity={self.uidvalidity} uid={self.last_uid}"


class DeadLetterStatus(models.TextChoices):
    NEW = "new", _("Waiting")
    RETRIED = "retried", _("Filed on retry")
    DELETED = "deleted", _("Deleted")


def raw_key() -> str:
    return secrets.token_hex(20)


class DeadLetter(TenantModel):
    """A mail we could not file (unparseable, oversized, refused by the inbox), kept whole.

    The raw bytes live on disk under a server-generated key (`dead_letters.py`); admins see the
    reason, retry (after a limit was raised or a bug fixed) or delete it.
    """

    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16)  # "imap", "upload", "smtp"
    reason = models.TextField()
    message_id = models.CharField(max_length=255, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    raw_key = models.CharField(max_length=40, unique=True, default=raw_key)
    raw_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=DeadLetterStatus.choices,
                              default=DeadLetterStatus.NEW)
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["inbox", "raw_sha256"], name="dead_letter_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["account", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"dead letter {self.pk}: {self.reason[:60]}"
