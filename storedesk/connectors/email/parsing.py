"""Raw RFC 822 bytes -> a `ParsedEmail`: headers decoded, bodies, attachments, reply split.

Mail in the wild is broken in every way a parser can imagine, so nothing here raises on bad
input except `Unparseable` (no usable sender, or no structure at all): an unknown or lying
charset is decoded by the nearest known codec and bad bytes are replaced (the problem is kept
in `problems`), encoded words (RFC 2047) and parameter continuations (RFC 2231) are decoded
by the standard library's `policy.default`, and text is cleaned of what databases refuse (NUL,
unpaired surrogates). HTML is kept raw here; `receive_message` sanitises it with nh3 before it
is stored, and the workspace shows it in a sandboxed iframe.
"""

from __future__ import annotations

import codecs
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from storedesk.connectors.email.quotes import SplitReply, split_reply
from storedesk.inbox.storage import IncomingFile

MAX_HEADER_CHARS = 998 * 4
MAX_IDS = 50

# Charset labels seen in real mail that Python does not know, or knows under another name.
CHARSET_ALIASES = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-windows-874": "cp874",
    "tis620": "tis-620",
    "x-sjis": "shift_jis",
    "x-euc-jp": "euc_jp",
    "iso-8859-9": "iso-8859-9",
    "x-mac-turkish": "mac_turkish",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "x-user-defined": "windows-1252",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
}
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00\x0b\x0c\x0e-\x1f\x7f]")
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,250}@[^<>\s]{1,250})>")


class Unparseable(Exception):
    """The bytes are not a mail we can file (kept as a dead letter with this reason)."""


@dataclass(frozen=True)
class Address:
    name: str
    email: str


@dataclass
class ParsedEmail:
    message_id: str  # "<id@host>" as sent, or a synthetic "<sha256.…@storedesk.invalid>"
    sender: Address
    reply_to: Address | None
    to: list[Address]
    cc: list[Address]
    subject: str
    date: datetime | None
    in_reply_to: list[str]
    references: list[str]
    text: str  # the whole plain text (from text/plain, or from the HTML when only HTML came)
    html: str | None  # raw HTML (sanitised by receive_message)
    reply: SplitReply
    attachments: list[IncomingFile]
    # Content-ID of each attachment ("" for none), in the same order: the HTML's cid: images.
    content_ids: list[str]
    headers: dict[str, str]  # the loop/bounce-relevant headers, lower-cased names
    return_path: str | None  # None: no Return-Path header; "": the null path <>
    problems: list[str] = field(default_factory=list)
    size: int = 0
    raw_message: EmailMessage | None = None

    @property
    def thread_ids(self) -> list[str]:
        """In-Reply-To first, then References newest first, without repeats."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


def clean_text(value: str) -> str:
    """Text both databases store: no NUL, control characters or unpaired surrogates."""
    value = _SURROGATES.sub("\ufffd", value)
    return _CONTROL.sub("", value)


def clean_header(value: str, limit: int = MAX_HEADER_CHARS) -> str:
    return " ".join(clean_text(value).replace("\r", " ").replace("\n", " ").split())[:limit]


def codec_for(charset: str | None) -> str:
    """A codec Python knows for a declared charset (unknown ones fall back to UTF-8)."""
    label = (charset or "").strip().strip('"').lower()
    label = CHARSET_ALIASES.get(label, label)
    if not label:
        return "ascii"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return "utf-8"


def decode_bytes(payload: bytes, charset: str | None, problems: list[str]) -> str:
    """Decode with the declared charset; if it lies, try UTF-8 then Windows-1252, replacing."""
    name = codec_for(charset)
    if charset and name == "utf-8" and CHARSET_ALIASES.get(charset.lower()) is None and (
        charset.lower().replace("_", "-") not in ("utf-8", "utf8")
    ):
        problems.append(f"unknown charset {charset[:40]!r}")
    if name == "ascii":
        name = "utf-8"  # undeclared 8-bit text is UTF-8 far more often than not
    try:
        return payload.decode(name)
    except UnicodeDecodeError:
        pass
    for fallback in ("utf-8", "windows-1252"):
        if fallback == name:
            continue
        try:
            text = payload.decode(fallback)
        except UnicodeDecodeError:
            continue
        problems.append(f"charset {charset or 'unset'!r} did not match; read as {fallback}")
        return text
    problems.append(f"charset {charset or 'unset'!r}: undecodable bytes replaced")
    return payload.decode(name, errors="replace")


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a header the library cannot model is no header
        return ""
    if value is None:
        return ""
    try:
        return clean_header(str(value))
    except Exception:  # noqa: BLE001
        return ""


def _addresses(msg: Message, name: str) -> list[Address]:
    raw = []
    try:
        values = msg.get_all(name) or []
    except Exception:  # noqa: BLE001
        values = []
    for value in values:
        try:
            raw.append(str(value))
        except Exception:  # noqa: BLE001, S112 - an address header the library cannot model
            continue
    found = []
    for display, email in getaddresses(raw):
        email = clean_header(email, 254).strip().lower()
        if "@" not in email or any(c in email for c in " <>,;\"'"):
            continue
        found.append(Address(name=clean_header(display, 200), email=email))
    return found


def message_ids(value: str) -> list[str]:
    return ["<" + m + ">" for m in _MESSAGE_ID.findall(value or "")][:MAX_IDS]


def _date(msg: Message) -> datetime | None:
    value = _header(msg, "Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None or not 1 < parsed.year < 9999:
        return None
    return parsed


def synthetic_message_id(raw: bytes) -> str:
    return f"<sha256.{hashlib.sha256(raw).hexdigest()[:40]}@storedesk.invalid>"


def _part_filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - broken RFC 2231 parameters
        name = ""
    return clean_header(str(name), 255)


def _part_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken base64 / quoted-printable
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


_TAGS = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote)\b[^>]*>")
_DROP = re.compile(r"(?is)<(script|style|head|title)\b.*?</\1\s*>")


def html_to_text(markup: str) -> str:
    """Plain text from HTML for mails that came without a text part (search, previews)."""
    text = _DROP.sub("", markup)
    text = _BLOCK_END.sub("\n", text)
    text = _TAGS.sub("", text)
    text = html_lib.unescape(text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _content_id(part: Message) -> str:
    value = clean_header(_header(part, "Content-ID"), 255).strip()
    return value.strip("<>").strip()


def _walk(
    msg: Message, problems: list[str]
) -> tuple[list[str], list[str], list[IncomingFile], list[str]]:
    texts: list[str] = []
    htmls: list[str] = []
    files: list[IncomingFile] = []
    content_ids: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        content_type = (part.get_content_type() or "text/plain").lower()
        disposition = (part.get_content_disposition() or "").lower()
        filename = _part_filename(part)
        is_body = disposition != "attachment" and not filename
        if content_type == "text/plain" and is_body:
            texts.append(decode_bytes(_part_bytes(part), part.get_content_charset(), problems))
        elif content_type == "text/html" and is_body:
            htmls.append(decode_bytes(_part_bytes(part), part.get_content_charset(), problems))
        elif content_type in ("message/delivery-status", "text/rfc822-headers",
                              "message/rfc822-headers"):
            continue  # read by bounces.py from the message itself
        else:
            payload = _part_bytes(part)
            if not payload:
                continue
            if not filename:
                extension = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
                             "message/rfc822": ".eml"}.get(content_type, ".bin")
                filename = f"part-{len(files) + 1}{extension}"
            files.append(IncomingFile(filename=clean_text(filename), content=payload,
                                      content_type=content_type[:127]))
            content_ids.append(_content_id(part))
    return texts, htmls, files, content_ids


def parse(raw: bytes) -> ParsedEmail:
    """Parse one message; raises Unparseable when there is no sender to file it under."""
    if not raw.strip():
        raise Unparseable("The message is empty.")
    problems: list[str] = []
    try:
        msg = message_from_bytes(raw, policy=policy.default)
    except Exception as exc:  # noqa: BLE001 - the library's own bugs on hostile input
        raise Unparseable(f"The MIME structure could not be read: {exc}") from exc
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise Unparseable("The message has no headers.")
    senders = _addresses(msg, "From") or _addresses(msg, "Sender")
    if not senders:
        raise Unparseable("The message has no valid From address.")
    try:
        texts, htmls, files, content_ids = _walk(msg, problems)
    except Exception as exc:  # noqa: BLE001
        raise Unparseable(f"The MIME parts could not be read: {exc}") from exc
    html = "\n".join(htmls) if htmls else None
    text = "\n\n".join(t.strip("\n") for t in texts)
    if not text.strip() and html:
        text = html_to_text(html)
    text = clean_text(text.replace("\r\n", "\n"))
    html = clean_text(html) if html else None
    message_id = (message_ids(_header(msg, "Message-ID")) or [synthetic_message_id(raw)])[0]
    return_path_header = msg.get("Return-Path")
    return_path = None
    if return_path_header is not None:
        value = clean_header(str(return_path_header))
        return_path = value.strip().strip("<>").strip().lower()
    reply_to = _addresses(msg, "Reply-To")
    headers = {
        name.lower(): _header(msg, name)
        for name in ("Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress",
                     "Precedence", "List-Id", "List-Unsubscribe", "X-Loop", "X-Storedesk-Loop",
                     "Content-Type", "X-Failed-Recipients", "Feedback-Type",
                     "Authentication-Results")
        if msg.get(name) is not None
    }
    return ParsedEmail(
        message_id=message_id,
        sender=senders[0],
        reply_to=reply_to[0] if reply_to else None,
        to=_addresses(msg, "To") + _addresses(msg, "Delivered-To"),
        cc=_addresses(msg, "Cc"),
        subject=clean_header(_header(msg, "Subject"), 255),
        date=_date(msg),
        in_reply_to=message_ids(_header(msg, "In-Reply-To")),
        references=message_ids(_header(msg, "References")),
        text=text,
        html=html,
        reply=split_reply(text),
        attachments=files,
        content_ids=content_ids,
        headers=headers,
        return_path=return_path,
        problems=problems,
        size=len(raw),
        raw_message=msg,
    )


def header_block(raw: bytes, limit: int = 64 * 1024) -> dict[str, Any]:
    """What a dead letter shows of a message that was not parsed whole (too large, broken)."""
    head = raw[:limit].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        msg = message_from_bytes(head + b"\n\n", policy=policy.default)
    except Exception:  # noqa: BLE001
        return {}
    senders = _addresses(msg, "From")
    return {
        "message_id": (message_ids(_header(msg, "Message-ID")) or [""])[0],
        "sender": senders[0].email if senders else "",
        "subject": clean_header(_header(msg, "Subject"), 255),
    }
