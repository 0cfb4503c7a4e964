"""Images in the thread: attachment thumbnails and an email's inline (`cid:`) images.

Attachments are downloads (inbox/downloads.py). An attachment that is a raster image (PNG,
JPEG, GIF, WebP by its stored type *and* its first bytes) may also be shown inline, at
`/attachments/<id>/image/<token>/`. The token is signed for one agent and one attachment and
expires (IMAGE_URL_MAX_AGE): the formatted view of an email is a sandboxed iframe with an
opaque origin, whose image requests carry no session cookie, so the URL itself must say who
asked. Each request checks again that the agent is still active and may still see the
conversation (the same access helper as the download). Served with the image's own type,
`nosniff`, `Content-Disposition: inline` and a sandboxing CSP.

An email's HTML keeps `cid:` references (nh3 allows the scheme); `email_html` rewrites those
naming one of the message's attachments (ingest records Content-ID -> attachment order in
`metadata.email.cids`) to that attachment's image URL and sanitises the result again.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.urls import reverse

from storedesk.core.sanitize import sanitize_html

if TYPE_CHECKING:
    from storedesk.accounts.models import Membership
    from storedesk.inbox.models import Attachment, Message

IMAGE_URL_MAX_AGE = 12 * 3600
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_SALT = "storedesk.workspace.inline-image"
_CID_SRC = re.compile(r'src="cid:([^"]*)"', re.IGNORECASE)


def is_image(attachment: Attachment) -> bool:
    return (attachment.content_type or "").lower() in INLINE_IMAGE_TYPES


def looks_like(content_type: str, head: bytes) -> bool:
    """The file's first bytes are the image format its type claims."""
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return False


def image_token(membership: Membership, attachment_id: int) -> str:
    return signing.dumps([attachment_id, membership.pk], salt=_SALT, compress=False)


def read_token(token: str, attachment_id: int) -> int | None:
    """The membership id a valid, unexpired token for this attachment was made for."""
    try:
        value: Any = signing.loads(token, salt=_SALT, max_age=IMAGE_URL_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if (not isinstance(value, list) or len(value) != 2 or value[0] != attachment_id
            or not isinstance(value[1], int)):
        return None
    return int(value[1])


def image_url(membership: Membership, attachment: Attachment) -> str:
    return reverse("inbox:attachment_image",
                   args=[attachment.pk, image_token(membership, attachment.pk)])


def email_html(membership: Membership, message: Message, attachments: list[Attachment]) -> str:
    """The email's stored (sanitised) HTML with its `cid:` images pointing at our copies."""
    markup = message.html or ""
    cids = ((message.metadata or {}).get("email") or {}).get("cids") or {}
    if not markup or not cids or "cid:" not in markup.lower():
        return markup
    urls: dict[str, str] = {}
    for cid, index in cids.items():
        if isinstance(index, int) and 0 <= index < len(attachments) and is_image(
                attachments[index]):
            urls[str(cid).strip("<>").lower()] = image_url(membership, attachments[index])

    def swap(match: re.Match[str]) -> str:
        cid = html_lib.unescape(match.group(1)).strip().strip("<>").lower()
        url = urls.get(cid)
        return f'src="{url}"' if url else 'src=""'

    return sanitize_html(_CID_SRC.sub(swap, markup)) or ""


def prepare(membership: Membership, messages: list[Message]) -> None:
    """Set `images` (attachment, url), `files` and, for emails, `email_html` on each message."""
    for m in messages:
        attachments = sorted(m.attachments.all(), key=lambda a: a.pk)
        m.images = [(a, image_url(membership, a)) for a in attachments if is_image(a)]  # type: ignore[attr-defined]
        m.files = [a for a in attachments if not is_image(a)]  # type: ignore[attr-defined]
        if (m.metadata or {}).get("email") and m.html:
            m.email_html = email_html(membership, m, attachments)  # type: ignore[attr-defined]
