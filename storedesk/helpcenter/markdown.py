"""Markdown authoring rendered to sanitised HTML.

markdown-it-py renders CommonMark (+ tables, strikethrough) with raw HTML disabled, so any
`<script>` or `<img onerror>` typed into an article shows up as text; the result then goes
through nh3 with the project's allowlist, which drops `javascript:`/`data:` URLs and every event
handler attribute. Images may only point at this help center's own image URLs or https.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from storedesk.core.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

TAGS = set(ALLOWED_TAGS) | {"h5", "h6", "del"}
SCHEMES = {"http", "https", "mailto", "tel"}
IMG_SRC = re.compile(r"^(https://|/help/[\w-]+/images/[\w-]+$)")


UNSAFE_LINK = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)


def _safe_link(url: str) -> bool:
    return not UNSAFE_LINK.match(url)


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Refuse unsafe link targets already at parse time (nh3 checks again below).
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src" and not IMG_SRC.match(value):
        return None
    return value


def render_markdown(source: str) -> str:
    html = _md().render(source or "")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def plain_text(source: str) -> str:
    """The visible text of Markdown (for search, snippets and meta descriptions)."""
    html = _md().render(source or "")
    text = nh3.clean(html, tags=set())
    text = re.sub(r"&(amp|lt|gt|quot|#39);", lambda m: {"amp": "&", "lt": "<", "gt": ">",
                                                          "quot": '"', "#39": "'"}[m.group(1)],
                  text)
    return re.sub(r"\s+", " ", text).strip()
