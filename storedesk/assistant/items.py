"""Which size or colour a shopper asks for: the one other variant of an order line's product
whose option values (or title parts) the message names.

Text and values are compared case- and accent-folded, as whole words ("L" is not in "XL", nor
in "I'm"); a value the current variant shares says nothing; a value inside a longer named one
("King" in "Super King") gives way to it; among several named variants the one keeping most of
the current variant's other options wins ("L" of a black M tee: the black L). Anything else is
ambiguous and gives None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Latin letters or digits next to another script (Thai writes no spaces): a word boundary too.
_SCRIPT_EDGE = re.compile(r"(?<=[a-z0-9])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[a-z0-9])")


def fold(text: str) -> str:
    """Lower case, without accents (Thai marks kept), words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l").replace("ı", "i"))
    text = "".join(c for c in text if not unicodedata.combining(c) or ord(c) > 0x0E00)
    text = _NOT_WORD.sub(" ", _APOSTROPHES.sub("", text))
    return " ".join(_SCRIPT_EDGE.sub(" ", text).split())


def values_of(variant: Any) -> set[str]:
    """A variant's option values (its title's parts when it has no options), folded."""
    options = [str(v) for v in (getattr(variant, "options", None) or {}).values()]
    parts = options or re.split(r"\s*[/,|]\s*", str(variant.title or ""))
    values = {fold(p) for p in parts if fold(p)}
    if not options and len(values) > 1 and fold(variant.title):
        values.add(fold(variant.title))
    return values


def _spans(text: str, value: str) -> list[tuple[int, int]]:
    padded, needle = f" {text} ", f" {value} "
    spans, start = [], padded.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = padded.find(needle, start + 1)
    return spans


def named_variant(message: str, current: Any, others: Iterable[Any]) -> Any | None:
    """The one variant among `others` the message names (see the module), or None."""
    text = fold(message)
    kept = values_of(current)
    found: dict[int, tuple[Any, list[tuple[int, int, str]]]] = {}
    for variant in others:
        hits = [(a, b, value) for value in values_of(variant) - kept
                for a, b in _spans(text, value)]
        if hits:
            found[variant.pk] = (variant, hits)
    every = [hit for _variant, hits in found.values() for hit in hits]

    def inside_longer(hit: tuple[int, int, str]) -> bool:
        a, b, value = hit
        return any(x <= a and b <= y and len(v) > len(value) for x, y, v in every)

    named = [variant for variant, hits in found.values()
             if any(not inside_longer(hit) for hit in hits)]
    if len(named) <= 1:
        return named[0] if named else None
    best = max(len(values_of(v) & kept) for v in named)
    closest = [v for v in named if len(values_of(v) & kept) == best]
    return closest[0] if len(closest) == 1 else None
