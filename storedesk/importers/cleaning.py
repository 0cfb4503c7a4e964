"""Making other helpdesks' data storable: text, HTML, times, tags, file encodings.

Exports are messy: NUL bytes and lone surrogates in bodies, CRLF line ends, HTML-only
messages, times with or without a zone or as Unix seconds, tags with spaces, files saved as
UTF-16 or Windows-1252. Everything here is a pure function; readers call them.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")  # \r included
_TAG_BAD = re.compile(r"[^\w .:/-]+")


def clean_text(value: Any, limit: int | None = None) -> str:
    """A string both databases store: no NUL or other control characters (tabs and newlines
    kept), no lone surrogates, LF line ends; cut to `limit` characters."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if _UNCLEAN.search(text) is None:  # the common case: one scan, nothing to change
        return text[:limit] if limit is not None else text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SURROGATES.sub("\ufffd", text)
    return text[:limit] if limit is not None else text


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
             "pre", "table", "ul", "ol"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """The readable text of an HTML body (paragraphs and line breaks kept as newlines)."""
    if not markup:
        return ""
    if "<" not in markup:
        return clean_text(html_lib.unescape(markup)).strip()
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return clean_text(text).strip()


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (with Z, an offset or none: then UTC) or Unix seconds; None when unusable."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            parsed = datetime.fromtimestamp(float(value), tz=UTC)
        else:
            text = str(value).strip()
            if text.isdigit():
                parsed = datetime.fromtimestamp(int(text), tz=UTC)
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 2 <= parsed.astimezone(UTC).year <= 9998:
        return None
    return parsed


def clean_tag(name: Any) -> str:
    """A vendor's tag as one of ours (letters, digits, space . : / - _; at most 64)."""
    text = _TAG_BAD.sub("-", clean_text(name).strip()).strip(" .:/-")
    return text[:64].rstrip(" .:/-")


def clean_tags(names: Any) -> list[str]:
    out: list[str] = []
    for name in names or []:
        if isinstance(name, dict):
            name = name.get("name") or name.get("tag") or ""
        tag = clean_tag(name)
        if tag and tag not in out:
            out.append(tag)
    return out


def decode_bytes(raw: bytes) -> str:
    """A text file of unknown encoding: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    Windows-1252 (what older exports on Windows are saved as)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_json(path: Path) -> Any:
    """A JSON document from a file, whatever its encoding (see `decode_bytes`)."""
    return json.loads(decode_bytes(path.read_bytes()))


def read_records(path: Path, key: str) -> Iterator[Any]:
    """The records of an export file: a JSON array, an object holding the array under `key`
    (an API page saved to disk), or one JSON object per line (NDJSON)."""
    text = decode_bytes(path.read_bytes())
    stripped = text.lstrip()
    if stripped.startswith("["):
        yield from json.loads(stripped)
        return
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict):
        records = document.get(key)
        if records is None and isinstance(document.get("_embedded"), dict):
            records = document["_embedded"].get(key)
        if isinstance(records, list):
            yield from records
            return
        yield document
        return
    for line in stripped.splitlines():
        if line.strip():
            yield json.loads(line)


def full_name(first: Any, last: Any) -> str:
    return " ".join(part for part in (clean_text(first).strip(), clean_text(last).strip())
                    if part)
