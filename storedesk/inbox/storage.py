"""Attachment bytes on disk, under server-generated keys (never the client's filename).

Limits (settings): ATTACHMENT_MAX_BYTES per file, ATTACHMENT_MAX_COUNT and
ATTACHMENT_MAX_TOTAL_BYTES per message; the per-request cap is enforced before the body is read
(`core.body_limit`). Bytes are copied and hashed in chunks, never read into memory whole.

Files and transactions: `staged_files()` writes the files before the message row commits (so a
committed row always finds its file) and leaves a marker under `attachments/pending/` for each.
The marker is removed once the rows commit; when the action fails the files are deleted at once;
when an outer transaction rolls back later, `sweep_staged()` deletes the files whose marker is
old and whose row never committed.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction

from storedesk.core.errors import PayloadTooLarge
from storedesk.inbox.models import attachment_key

logger = logging.getLogger(__name__)

# Types we never let a browser render inline, whatever the sender claims.
_ACTIVE_TYPES = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml"}
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class IncomingFile:
    """A file to attach: `content` is bytes, or an open binary file (an upload spooled to
    disk) read in chunks. `size`, when known, is checked before any byte is copied."""

    filename: str
    content: bytes | IO[bytes]
    content_type: str = ""
    size: int | None = None

    @property
    def known_size(self) -> int | None:
        if isinstance(self.content, bytes | bytearray):
            return len(self.content)
        return self.size


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


def _marker_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments" / "pending"


def safe_content_type(filename: str, claimed: str) -> str:
    content_type = (claimed or mimetypes.guess_type(filename)[0] or "").split(";")[0].strip()
    if not content_type or content_type.lower() in _ACTIVE_TYPES:
        return "application/octet-stream"
    return content_type.lower()


def clean_filename(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip().replace("\x00", "")
    return name[:255] or "attachment"


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def check_limits(files: Sequence[IncomingFile]) -> None:
    """Refuse (413) a message over the count limit, or whose known sizes are over a limit."""
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise PayloadTooLarge(
            f"A message can carry at most {settings.ATTACHMENT_MAX_COUNT} attachments "
            f"({len(files)} were sent)."
        )
    total = 0
    for incoming in files:
        size = incoming.known_size
        if size is None:
            continue
        _check_file_size(incoming.filename, size)
        total += size
    _check_total(total)


def _check_file_size(filename: str, size: int) -> None:
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge(
            f"Attachment {clean_filename(filename)!r} is larger than the "
            f"{_mib(settings.ATTACHMENT_MAX_BYTES)} limit per file."
        )


def _check_total(total: int) -> None:
    if total > settings.ATTACHMENT_MAX_TOTAL_BYTES:
        raise PayloadTooLarge(
            f"The attachments are larger than the {_mib(settings.ATTACHMENT_MAX_TOTAL_BYTES)} "
            "limit per message."
        )


def _chunks(content: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(content, bytes | bytearray):
        for start in range(0, len(content), CHUNK_BYTES):
            yield bytes(content[start:start + CHUNK_BYTES])
        return
    chunks = getattr(content, "chunks", None)  # Django's UploadedFile
    if callable(chunks):
        yield from chunks(CHUNK_BYTES)
        return
    while True:
        block = content.read(CHUNK_BYTES)
        if not block:
            return
        yield block


def _write(incoming: IncomingFile, budget: int) -> StoredFile:
    """Copy and hash in chunks to `<key>.part`, then rename; a pending marker comes first."""
    key = attachment_key()
    path = attachment_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    markers = _marker_dir()
    markers.mkdir(parents=True, exist_ok=True)
    (markers / key).touch()
    partial = path.with_name(key + ".part")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial, "wb") as out:
            for block in _chunks(incoming.content):
                size += len(block)
                _check_file_size(incoming.filename, size)
                if size > budget:
                    _check_total(settings.ATTACHMENT_MAX_TOTAL_BYTES + 1)
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        (markers / key).unlink(missing_ok=True)
        raise
    filename = clean_filename(incoming.filename)
    return StoredFile(
        storage_key=key,
        filename=filename,
        content_type=safe_content_type(filename, incoming.content_type),
        size=size,
        sha256=digest.hexdigest(),
    )


def stage_file(incoming: IncomingFile) -> StoredFile:
    """Write one file for a row a bulk action will create (imports): like `staged_files`, the
    file has a pending marker until `release_on_commit` runs in the transaction that writes
    its row, and the caller `discard`s it when that transaction fails. Refuses (413) a file
    over ATTACHMENT_MAX_BYTES."""
    if incoming.known_size is not None:
        _check_file_size(incoming.filename, incoming.known_size)
    return _write(incoming, settings.ATTACHMENT_MAX_BYTES)


def discard(stored: Sequence[StoredFile]) -> None:
    """Delete files whose rows will never exist (the action failed)."""
    for f in stored:
        attachment_path(f.storage_key).unlink(missing_ok=True)
        (_marker_dir() / f.storage_key).unlink(missing_ok=True)


def release_on_commit(stored: Sequence[StoredFile]) -> None:
    """Called inside the transaction that writes the rows: the files become permanent when it
    commits (their pending markers are removed)."""
    keys = [f.storage_key for f in stored]
    if not keys:
        return

    def release() -> None:
        for key in keys:
            (_marker_dir() / key).unlink(missing_ok=True)

    transaction.on_commit(release, robust=True)


@contextmanager
def staged_files(files: Sequence[IncomingFile]) -> Iterator[list[StoredFile]]:
    """Write `files` for a message about to be created; deleted again if the block raises."""
    check_limits(files)
    stored: list[StoredFile] = []
    try:
        remaining = settings.ATTACHMENT_MAX_TOTAL_BYTES
        for incoming in files:
            written = _write(incoming, remaining)
            stored.append(written)
            remaining -= written.size
        yield stored
    except BaseException:
        discard(stored)
        raise


def sweep_staged(older_than_seconds: float = 3600.0) -> int:
    """Delete staged files whose message never committed (an outer transaction rolled back,
    or the process died). A marker whose row exists only lost its on-commit cleanup."""
    from storedesk.inbox.models import Attachment

    markers = _marker_dir()
    if not markers.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for marker in markers.iterdir():
        key = marker.name
        try:
            if marker.stat().st_mtime > cutoff or not key.isalnum():
                continue
        except FileNotFoundError:
            continue
        if not Attachment.objects.filter(storage_key=key).exists():
            path = attachment_path(key)
            path.unlink(missing_ok=True)
            path.with_name(key + ".part").unlink(missing_ok=True)
            removed += 1
        marker.unlink(missing_ok=True)
    if removed:
        logger.info("attachments: removed %s staged files of rolled-back messages", removed)
    return removed
