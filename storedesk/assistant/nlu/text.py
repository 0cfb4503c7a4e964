"""Text normalisation shared by the intent features and the entity extractors.

`fold` makes spelling variants meet: lower case, no Latin diacritics (ą→a, ş→s, ü→u, ł→l, ı→i),
no repeated letters beyond two ("pleeease" → "pleease"). Thai keeps its vowel and tone marks
(they are combining characters but carry meaning). `features_text` additionally replaces
numbers, emails and links by placeholders and splits Thai runs into words with pythainlp, so
word n-grams exist for Thai too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose into base + mark.
_SPECIAL = str.maketrans({
    "ł": "l", "ı": "i", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae",
    "œ": "oe", "ŀ": "l", "ħ": "h", "’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"',
    "„": '"', "«": '"', "»": '"', "–": "-", "—": "-",
})
_LATIN_MARKS = re.compile("[\u0300-\u036f]")
_REPEATS = re.compile(r"(\D)\1{2,}")
_SPACES = re.compile(r"\s+")
_THAI_RUN = re.compile("[\u0e00-\u0e7f]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_DIGITS = re.compile(r"\d+")
_TOKEN = re.compile(r"[\w\u0e00-\u0e7f]+")


def fold(text: str) -> str:
    """Lower case without Latin diacritics, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_SPECIAL)
    text = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))
    text = unicodedata.normalize("NFC", text)
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


def has_thai(text: str) -> bool:
    return _THAI_RUN.search(text) is not None


@lru_cache(maxsize=4096)
def _segment_thai(run: str) -> str:
    from pythainlp.tokenize import word_tokenize

    return " ".join(w for w in word_tokenize(run, engine="newmm", keep_whitespace=False)
                    if w.strip())


def segment_thai(text: str) -> str:
    """Thai runs split into words (Thai writes no spaces between words)."""
    if not has_thai(text):
        return text
    return _THAI_RUN.sub(lambda m: f" {_segment_thai(m.group(0))} ", text)


def features_text(text: str) -> str:
    """What the intent model sees: folded, placeholders for emails/links/numbers, Thai split."""
    text = fold(text)
    text = _EMAIL.sub(" @email ", text)
    text = _URL.sub(" @url ", text)
    text = _DIGITS.sub("0", text)
    text = segment_thai(text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Word tokens of an already normalised text (Thai marks stay inside their words)."""
    return _TOKEN.findall(text)
