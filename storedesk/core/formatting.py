"""What an agent types (Markdown) as the two forms a message is stored in.

The composer takes a small Markdown: **bold**, *italic* / _italic_, [links](https://...),
<https://autolinks>, bulleted and numbered lists, `code`, > quotes, and line breaks as typed.
Headings, indented code, fences, images and raw HTML are off, so an agent's "# 1042" or an
indented line stays text. `render_markdown` returns:

- `html`: rendered by markdown-it-py (raw HTML off: a typed `<script>` is text) and sanitised
  with nh3 (core/sanitize.py), for channels that show HTML;
- `text`: a plain version for channels that do not (and for search): markers dropped, a link
  as "label (url)", list items as "- item" / "1. item", quotes as "> ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from storedesk.core.sanitize import sanitize_html

_OFF = ["code", "fence", "heading", "lheading", "html_block", "html_inline", "image"]
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_UNSAFE = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)+([/?#].*)?$")


@dataclass(frozen=True)
class Formatted:
    text: str
    html: str | None


def _valid_link(url: str) -> bool:
    return not _UNSAFE.match(url)


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    md.disable(_OFF)
    md.validateLink = _valid_link  # type: ignore[method-assign]
    return md


def _absolute(href: str) -> str:
    """"example.com/x" typed as a link target means https://example.com/x in a mail."""
    if _SCHEME.match(href) or href.startswith(("/", "#")):
        return href
    return f"https://{href}" if _DOMAIN.match(href) else href


def _inline_text(children: list[Token]) -> str:
    out: list[str] = []
    links: list[tuple[str, int]] = []  # (href, where its label starts in `out`)
    for tok in children:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif tok.type == "link_open":
            links.append((str(tok.attrGet("href") or ""), len(out)))
        elif tok.type == "link_close" and links:
            href, start = links.pop()
            label = "".join(out[start:]).strip()
            shown = href[len("mailto:"):] if href.startswith("mailto:") else href
            if href and label not in (href, shown):
                out.append(f" ({shown})")
    return "".join(out)


def _plain(tokens: list[Token]) -> str:
    # (text, the list it is a tight item of, or 0): tight items of one list join with "\n"
    blocks: list[tuple[str, int]] = []
    group = 0
    lists: list[list[Any]] = []  # [ordered, next number, delimiter]
    marker = ""
    quote = 0
    tight = False
    for tok in tokens:
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            group += 0 if lists else 1
            start = tok.attrGet("start")
            lists.append([kind == "ordered_list_open", int(start) if start else 1,
                          tok.markup or "."])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            if lists:
                lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number, delimiter = lists[-1]
            marker = f"{number}{delimiter} " if ordered else "- "
            lists[-1][1] = number + 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "paragraph_open":
            tight = tok.hidden
        elif kind == "hr":
            blocks.append(("---", 0))
        elif kind == "inline":
            indent = "   " * max(0, len(lists) - 1)
            lead = indent + marker
            rest = (indent + " " * len(marker)) if lists else ""
            lines = _inline_text(tok.children or []).split("\n")
            body = "\n".join([lead + lines[0], *(rest + line for line in lines[1:])])
            if quote:
                body = "\n".join(("> " * quote + line).rstrip() for line in body.split("\n"))
            blocks.append((body, group if (tight and lists) else 0))
            marker = ""
    text = ""
    previous = 0
    for body, in_list in blocks:
        if text:
            text += "\n" if (in_list and in_list == previous) else "\n\n"
        text += body
        previous = in_list
    return text.strip()


def render_markdown(source: str) -> Formatted:
    """The message's plain text and sanitised HTML from the agent's Markdown."""
    source = (source or "").replace("\r\n", "\n").strip()
    if not source:
        return Formatted("", None)
    md = _md()
    tokens = md.parse(source)
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                child.attrSet("href", _absolute(str(child.attrGet("href") or "")))
    html = sanitize_html(md.renderer.render(tokens, md.options, {}))
    return Formatted(_plain(tokens), html)
