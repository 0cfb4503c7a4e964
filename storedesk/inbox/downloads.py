"""Serving stored attachment bytes safely, for the API and the agent UI alike.

Every attachment goes out as a download (`Content-Disposition: attachment`), with the content
type decided when the file was stored (never HTML/SVG), and `X-Content-Type-Options: nosniff` so
browsers do not second-guess it. The caller must have fetched `attachment` through an access
helper: this module does no tenancy check of its own.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404

from storedesk.inbox.models import Attachment
from storedesk.inbox.storage import attachment_path, safe_content_type

# Content types a browser could execute or render as a document, whatever we were told.
_NEVER_INLINE = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
}


def content_disposition(filename: str) -> str:
    """An RFC 6266 `attachment` header: an ASCII fallback plus the UTF-8 `filename*`."""
    name = filename.replace("\r", "").replace("\n", "").replace("\x00", "") or "attachment"
    ascii_name = (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    )
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in ascii_name)
    ascii_name = ascii_name.strip() or "attachment"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def served_content_type(attachment: Attachment) -> str:
    content_type = safe_content_type(attachment.filename, attachment.content_type)
    if content_type in _NEVER_INLINE:
        return "application/octet-stream"
    return content_type


def attachment_response(attachment: Attachment) -> FileResponse:
    """The attachment's bytes as a safe download. Raises Http404 when the file is missing."""
    path = attachment_path(attachment.storage_key)
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Attachment file not found.") from exc
    response = FileResponse(handle, content_type=served_content_type(attachment))
    response["Content-Length"] = str(path.stat().st_size)
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
