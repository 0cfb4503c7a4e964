"""Which of a listed few the shopper means: "the second one", "ten drugi", "ikincisi",
"yang kedua", "อันที่สอง", "la dernière", "2".

When the assistant asks "which order?" and lists the candidates, shoppers answer by position as
often as by number. `position(text, count)` reads such an answer in any of the eleven
languages: a 0-based index into the listed `count` items, or None when the message names no
position, names two different ones, or is too long to be only an answer (then it is read as a
new message). Pure text work: no Django, no model.
"""

from __future__ import annotations

import re
import unicodedata

LAST = -1
MAX_WORDS = 6  # "the second one please", "poproszę to drugie zamówienie"

# Words (lowercased, diacritics folded) for positions 1-5 and "last", per language, in the
# forms shoppers write (genders, cases; Turkish words are stems: "ikincisi", "sonuncusu").
_WORDS: dict[int, tuple[str, ...]] = {
    1: ("first", "1st",
        "pierwsze", "pierwszy", "pierwsza", "pierwszego", "pierwszej",
        "birinci", "ilk",
        "pertama",
        "erste", "ersten", "erstes", "erster",
        "primero", "primera", "primer",
        "premier", "premiere",
        "primeiro", "primeira",
        "primo", "prima",
        "eerste"),
    2: ("second", "2nd",
        "drugie", "drugi", "druga", "drugiego", "drugiej",
        "ikinci",
        "kedua",
        "zweite", "zweiten", "zweites", "zweiter",
        "segundo", "segunda",
        "deuxieme", "seconde",
        "secondo", "seconda",
        "tweede"),
    3: ("third", "3rd",
        "trzecie", "trzeci", "trzecia", "trzeciego", "trzeciej",
        "ucuncu",
        "ketiga",
        "dritte", "dritten", "drittes", "dritter",
        "tercero", "tercera", "tercer",
        "troisieme",
        "terceiro", "terceira",
        "terzo", "terza",
        "derde"),
    4: ("fourth", "4th",
        "czwarte", "czwarty", "czwarta", "czwartego", "czwartej",
        "dorduncu",
        "keempat",
        "vierte", "vierten", "viertes", "vierter",
        "cuarto", "cuarta",
        "quatrieme",
        "quarto", "quarta",
        "vierde"),
    5: ("fifth", "5th",
        "piate", "piaty", "piata", "piatego", "piatej",
        "besinci",
        "kelima",
        "funfte", "fuenfte", "funften", "fuenften",
        "quinto", "quinta",
        "cinquieme",
        "vijfde"),
    LAST: ("last",
           "ostatnie", "ostatni", "ostatnia", "ostatniego", "ostatniej",
           "sonuncu",
           "terakhir",
           "letzte", "letzten", "letztes", "letzter",
           "ultimo", "ultima",
           "dernier", "derniere",
           "laatste"),
}
_BY_WORD = {word: pos for pos, words in _WORDS.items() for word in words}
# Turkish ordinals take suffixes ("ikincisi", "ikinciyi", "sonuncusunu").
_TR_STEMS = {"birinci": 1, "ikinci": 2, "ucuncu": 3, "dorduncu": 4, "besinci": 5,
             "sonuncu": LAST}
# Thai writes no spaces: these are found inside the text ("อันที่สองครับ").
_THAI = (("ที่หนึ่ง", 1), ("อันแรก", 1), ("แรก", 1), ("ที่สอง", 2), ("ที่สาม", 3),
         ("ที่สี่", 4), ("ที่ห้า", 5), ("สุดท้าย", LAST))
_NUMBER = re.compile(r"^(?:#|nr|no|nomor|numer|numara|n)?\.?([1-9])\.?$")


def _fold(text: str) -> str:
    text = text.lower().replace("ł", "l").replace("ı", "i")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) or _is_thai(c))


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


def position(text: str, count: int) -> int | None:
    """The 0-based index of the listed item the text names by position, or None."""
    if count < 1:
        return None
    folded = unicodedata.normalize("NFC", _fold(text))
    words = re.findall(r"[#\w.]+", folded)
    found: set[int] = set()
    for word in words:
        bare = word.strip(".")
        if bare in _BY_WORD:
            found.add(_BY_WORD[bare])
            continue
        stem = next((s for s in _TR_STEMS if bare.startswith(s)), None)
        if stem is not None:
            found.add(_TR_STEMS[stem])
            continue
        number = _NUMBER.match(word)
        if number and len(words) <= 3:  # a bare "2" / "#2" / "nr 2" answer, not "2 candles"
            found.add(int(number.group(1)))
    thai = [pos for mark, pos in _THAI if mark in text]
    if thai:
        found.add(thai[0])  # the longest marks come first ("ที่หนึ่ง" before "แรก")
    if len(found) != 1 or len(words) > MAX_WORDS:
        return None
    pos = found.pop()
    if pos == LAST:
        return count - 1
    return pos - 1 if pos <= count else None
