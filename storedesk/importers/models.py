"""One row per import run: where it stands (the checkpoint), what it did and skipped."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from storedesk.core.models import TenantModel


class ImportRun(TenantModel):
    """An import of one source (a vendor and a file, folder or URL) into one inbox.

    `checkpoint` is the reader's position after the last chunk that committed; it is written
    in the same transaction as that chunk, so a run killed at any moment resumes exactly
    after what is stored (and the messages' source ids make any overlap harmless).
    """

    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="+")
    vendor = models.CharField(max_length=16)
    location = models.CharField(max_length=1000)  # the file, folder or base URL read
    checkpoint = models.JSONField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    conversations = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    attachments = models.PositiveIntegerField(default=0)
    # reason -> count of what was left out (already imported, empty message, spam ...)
    skipped = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["inbox", "vendor", "location"])]

    def __str__(self) -> str:
        return f"{self.vendor} import of {self.location}"
