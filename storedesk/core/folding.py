"""Search folding: the one way text is made comparable for substring search.

`fold("Zamówienie İSTANBUL Łódź")` is `"zamowienie istanbul lodz"`: Unicode compatibility
forms unified (NFKC), full case folding (German ß -> ss, Greek final sigma), the letters that
Unicode does not decompose mapped by hand (Polish ł, Turkish dotless ı and dotted İ, Danish ø,
Croatian đ, æ, œ, þ), and the Latin/Greek/Cyrillic combining accents (U+0300-U+036F) dropped.
Other scripts' combining marks are kept: Thai vowel and tone marks are letters of the word, not
accents. Text is folded in Python when it is stored and when it is searched, so SQLite and
PostgreSQL compare the same strings whatever the database's collation or locale.
"""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = str.maketrans({
    "ł": "l", "Ł": "l", "ı": "i", "İ": "i", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
    "ħ": "h", "Ħ": "h", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th",
    "ð": "d", "Ð": "d",
})


_ACCENTS = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_SPECIAL).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # one regex pass (an import folds millions of messages; a per-character loop was its
    # largest Python cost)
    return unicodedata.normalize("NFC", _ACCENTS.sub("", decomposed))


def contact_search_key(name: str, email: str, phone: str) -> str:
    """What a contact is found by: name, email and phone, folded, one per line."""
    return fold("\n".join((name or "", email or "", phone or "")))
