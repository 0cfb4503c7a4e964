"""Attachment bytes on disk, under server-generated keys (never the client's filename)."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from storedesk.core.errors import ActionError
from storedesk.inbox.models import attachment_key

# Types we never let a browser render inline, whatever the sender claims.
_ACTIVE_TYPES = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml"}


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content: bytes
    content_type: str = ""


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    filename: str
    content_type: str
    size: int
    sha256: str


def attachment_path(storage_key: str) -> Path:
    if not storage_key.isalnum():
        raise ValueError("bad storage key")
    return Path(settings.MEDIA_ROOT) / "attachments" / storage_key[:2] / storage_key


def safe_content_type(filename: str, claimed: str) -> str:
    content_type = (claimed or mimetypes.guess_type(filename)[0] or "").split(";")[0].strip()
    if not content_type or content_type.lower() in _ACTIVE_TYPES:
        return "application/octet-stream"
    return content_type.lower()


def clean_filename(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip().replace("\x00", "")
    return name[:255] or "attachment"


def store_file(incoming: IncomingFile) -> StoredFile:
    """Write the bytes under a fresh key. Raises ActionError when over the size limit."""
    size = len(incoming.content)
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ActionError(
            f"Attachment {clean_filename(incoming.filename)!r} is {size} bytes; "
            f"the limit is {settings.ATTACHMENT_MAX_BYTES} bytes."
        )
    key = attachment_key()
    path = attachment_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(incoming.content)
    filename = clean_filename(incoming.filename)
    return StoredFile(
        storage_key=key,
        filename=filename,
        content_type=safe_content_type(filename, incoming.content_type),
        size=size,
        sha256=hashlib.sha256(incoming.content).hexdigest(),
    )
