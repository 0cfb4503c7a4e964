"""Language-aware text processing shared by indexing and querying.

- fold(): case and diacritics folded the same way for every language (Polish ł, Turkish ı/İ,
  any Latin combining mark), leaving Thai vowel and tone marks alone (they are letters there).
- terms(): words of a text; Thai has no spaces between words, so Thai runs are segmented with
  PyThaiNLP's dictionary tokenizer (newmm, dictionary shipped inside the package: nothing is
  downloaded), and the nominalising prefixes การ/ความ are also indexed without the prefix.
- query_terms(): the same, minus stop words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

WORD = re.compile(r"[\u0e00-\u0e7f]+|\w+", re.UNICODE)
THAI = re.compile(r"[\u0e00-\u0e7f]")
SPECIAL = str.maketrans({"ł": "l", "Ł": "l", "ı": "i", "İ": "i", "ß": "ss", "ø": "o", "Ø": "o",
                         "đ": "d", "Đ": "d", "æ": "ae", "œ": "oe"})
THAI_PREFIXES = ("การ", "ความ")
MAX_TERM = 40

_STOP_WORDS: dict[str, str] = {
    "en": (
        "a an and are be can do does for from how i if in is it me my of on or our the to "
        "what when where which who why will with you your i'm im we us"),
    "pl": (
        "a aby albo ale czy do i jak jaki jest ja mi mnie moge moj moja na nie o od po sie "
        "to w we z za ze co gdzie kiedy czym mam"),
    "tr": (
        "bir bu da de ve ile icin mi mu mi ne nasil nerede ben benim siz sizin ama veya gibi "
        "mı mu ki o musunuz misiniz misin musun miyim miyiz"),
    "id": (
        "apa bagaimana saya aku di ke dari dan yang untuk dengan ini itu bisa apakah kapan "
        "mana kami kamu anda ada"),
    "th": (
        "ฉัน ผม ดิฉัน ค่ะ คะ ครับ ไหม หรือ และ ที่ ของ จะ ได้ อย่างไร ยังไง ไง เป็น มี ให้ ว่า "
        "นี้ นั้น การ ความ"),
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(SPECIAL).lower()
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not ("\u0300" <= c <= "\u036f"))
    return unicodedata.normalize("NFC", stripped)


STOP_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in words.split()) for language, words in _STOP_WORDS.items()
}


@lru_cache(maxsize=1)
def _thai_tokenizer():  # type: ignore[no-untyped-def]
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def _thai_words(run: str) -> list[str]:
    out: list[str] = []
    for word in _thai_tokenizer()(run, engine="newmm", keep_whitespace=False):
        word = word.strip()
        if not word:
            continue
        out.append(word)
        for prefix in THAI_PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix) + 1:
                out.append(word[len(prefix):])
    return out


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (repeats kept: they weigh in ranking)."""
    out: list[str] = []
    for token in WORD.findall(fold(text)):
        if THAI.search(token):
            out.extend(_thai_words(token))
        else:
            out.append(token)
    return [t[:MAX_TERM] for t in out if t and not t.isspace()]


def query_terms(text: str, language: str) -> list[str]:
    """Distinct query terms without stop words (all of them if only stop words were typed)."""
    found = list(dict.fromkeys(terms(text)))
    stop = STOP_WORDS.get(language, frozenset())
    kept = [t for t in found if t not in stop]
    return (kept or found)[:12]


def stem_prefix(term: str) -> str:
    """A crude, language-neutral stem for prefix matching: inflected forms share it
    (zwrotu/zwroty -> zwro, refunds -> refun, teslimat/teslimatı -> teslim)."""
    if THAI.search(term) or len(term) <= 4:
        return term
    return term[: max(4, len(term) - 2)]
