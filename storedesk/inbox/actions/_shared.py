"""Helpers shared by the inbox actions (not part of the public interface)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db.models import F

from storedesk.core.oncommit import publish_on_commit
from storedesk.inbox.events import conversation_payload
from storedesk.inbox.models import Attachment, Conversation, Message
from storedesk.inbox.storage import StoredFile, release_on_commit

MAX_TEXT_CHARS = 100_000
TAG_RE = re.compile(r"^[\w][\w .:/-]{0,63}$")


def _save_with_count(conversation: Conversation, fields: list[str]) -> None:
    """Save `fields` and add one to message_count in SQL (safe against concurrent writers).

    The in-memory count is bumped too, without a re-read; the database holds the exact value.
    """
    count = conversation.message_count
    conversation.message_count = F("message_count") + 1  # type: ignore[assignment]
    conversation.save(update_fields=[*fields, "message_count", "updated_at"])
    conversation.message_count = count + 1


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def _publish_conversation(conversation: Conversation, *, with_tags: bool = False) -> None:
    tags = sorted(conversation.tags.values_list("name", flat=True)) if with_tags else None
    publish_on_commit(
        conversation.account_id,
        {
            "type": "conversation.updated",
            "conversation": conversation_payload(conversation, tags=tags),
        },
    )


def _save_attachments(message: Message, stored: Sequence[StoredFile]) -> None:
    """Attachment rows for files already written by storage.staged_files (inside the
    transaction: the files become permanent when it commits)."""
    release_on_commit(stored)
    Attachment.objects.bulk_create(
        Attachment(
            account_id=message.account_id,
            message=message,
            storage_key=f.storage_key,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
        )
        for f in stored
    )
