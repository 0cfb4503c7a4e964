"""Reading a new delivery address out of a chat message, and the shopper's yes or no.

The assistant changes an address only after the shopper confirmed the address as it read it,
so this reader may be simple: it finds the postcode, the city next to it, the street before it
and a country (named, or the order's current one), and returns None when any of the fields
commerce requires (street, city, country) or the postcode is missing; then the bot asks for
the address again.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Words after which a message names the new address ("... to Hauptstraße 5, 10115 Berlin").
_INTRO = (
    r"to|into|is|na|nowy|nowa|auf|nach|an|ist|à|a|au|vers|est|para|pra|é|es|naar|is|ke|"
    r"menjadi|jadi|yaitu|ini|in|con|è|olarak|adresim|adresine|adres|เป็น|ไปที่|ที่อยู่"
)
_INTRO_RE = re.compile(rf"(?<!\S)(?:{_INTRO})\s*[:\-]?(?=\s)", re.IGNORECASE)
_POSTCODES = (
    re.compile(r"\b\d{2}-\d{3}\b"),  # PL
    re.compile(r"\b\d{4}-\d{3}\b"),  # PT
    re.compile(r"\b\d{4}\s?[A-Za-z]{2}\b"),  # NL
    re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}\b"),  # UK
    re.compile(r"\b\d{5}(?:-\d{4})?\b"),  # DE, FR, ES, IT, TR, ID, TH, US
    re.compile(r"\b\d{4}\b"),  # AT, BE, CH, DK ...
)
# Country names shoppers write (English and the eleven languages) -> ISO code.
_COUNTRIES = {
    "PL": ("poland", "polska", "polen", "pologne", "polonia", "polonya"),
    "DE": ("germany", "deutschland", "niemcy", "allemagne", "alemania", "alemanha",
           "germania", "duitsland", "almanya", "jerman"),
    "NL": ("netherlands", "the netherlands", "nederland", "holandia", "pays-bas",
           "paises bajos", "paesi bassi", "holanda", "hollanda", "belanda"),
    "FR": ("france", "francja", "frankreich", "francia", "franca", "frankrijk", "fransa",
           "perancis"),
    "ES": ("spain", "espana", "hiszpania", "spanien", "espagne", "espanha", "spagna",
           "spanje", "ispanya", "spanyol"),
    "IT": ("italy", "italia", "wlochy", "italien", "italie", "italie", "itali", "italya"),
    "PT": ("portugal", "portugalia", "portogallo", "portekiz"),
    "TR": ("turkey", "turkiye", "turcja", "turkei", "turquie", "turquia", "turchia",
           "turkije", "turki"),
    "ID": ("indonesia", "indonezja", "indonesien", "indonesie", "endonezya"),
    "TH": ("thailand", "tajlandia", "thailande", "tailandia", "thailandia", "tayland",
           "ประเทศไทย", "ไทย"),
    "GB": ("united kingdom", "uk", "great britain", "england", "wielka brytania",
           "royaume-uni", "reino unido", "regno unito", "verenigd koninkrijk", "inggris"),
    "US": ("united states", "usa", "stany zjednoczone", "etats-unis", "estados unidos",
           "stati uniti", "verenigde staten", "amerika serikat"),
    "BE": ("belgium", "belgia", "belgien", "belgique", "belgica", "belgio", "belgie"),
    "AT": ("austria", "osterreich", "autriche", "oostenrijk", "avusturya"),
    "CH": ("switzerland", "szwajcaria", "schweiz", "suisse", "suiza", "svizzera", "zwitserland",
           "isvicre", "swiss"),
}
_COUNTRY_OF = {name: code for code, names in _COUNTRIES.items() for name in names}
YES = frozenset({
    "yes", "y", "yeah", "yep", "ok", "okay", "sure", "correct", "confirm", "confirmed",
    "right", "tak", "dobrze", "zgadza", "potwierdzam", "evet", "tamam", "dogru", "onayliyorum",
    "ya", "iya", "betul", "benar", "oke", "setuju", "ja", "jawohl", "genau", "richtig",
    "stimmt", "si", "claro", "correcto", "vale", "confirmo", "oui", "d'accord", "exact",
    "exactement", "confirme", "sim", "certo", "isso", "confermo", "giusto", "esatto",
    "klopt", "prima", "akkoord", "ใช่", "ใช่ค่ะ", "ใช่ครับ", "ยืนยัน", "ถูกต้อง", "โอเค",
})
NO = frozenset({
    "no", "nope", "nah", "wrong", "cancel", "nie", "hayir", "yanlis", "tidak", "bukan",
    "salah", "nein", "falsch", "non", "faux", "nao", "errado", "sbagliato", "nee", "fout",
    "ไม่", "ไม่ใช่", "ไม่ถูกต้อง",
})
_WORD = re.compile(r"[\w'-]+", re.UNICODE)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("ł", "l").replace("ı", "i"))
    return "".join(c for c in text if not unicodedata.combining(c) or ord(c) > 0x0E00)


def answer(text: str) -> str:
    """"yes", "no" or "" for a reply to "Is this right?" (judged on its first words)."""
    words = _WORD.findall(_fold(text))[:4]
    for word in words:
        if word in NO:
            return "no"
        if word in YES:
            return "yes"
    folded = _fold(text).strip()
    if any(folded.startswith(w) for w in ("ไม่",)):
        return "no"
    if any(folded.startswith(w) for w in ("ใช่", "ยืนยัน", "ถูกต้อง")):
        return "yes"
    return ""


def _country(segment: str) -> str | None:
    folded = _fold(segment).strip(" .")
    if folded in _COUNTRY_OF:
        return _COUNTRY_OF[folded]
    if len(segment.strip()) == 2 and segment.strip().isalpha() and segment.strip().isupper():
        return segment.strip()
    return None


def _address_part(text: str) -> str:
    """The part of the message that holds the address."""
    if ":" in text:
        after = text.rsplit(":", 1)[1]
        if re.search(r"\d", after):
            return after
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        with_digits = [i for i, line in enumerate(lines) if re.search(r"\d", line)]
        if with_digits:
            return ", ".join(lines[with_digits[0]:])
    intros = list(_INTRO_RE.finditer(text))
    for intro in reversed(intros):
        rest = text[intro.end():].strip()
        if re.search(r"\d", rest) and "," in rest:
            return rest
    return text


def _postcode(segment: str) -> re.Match[str] | None:
    for pattern in _POSTCODES:
        found = pattern.search(segment)
        if found:
            return found
    return None


def parse_address(text: str, current: dict[str, Any] | None = None) -> dict[str, str] | None:
    """{address1, zip, city, country (+ name, phone kept from `current`)} or None."""
    current = current or {}
    part = _address_part(text).strip(" .!?\n")
    segments = [s.strip(" .") for s in re.split(r"[,;\n]", part) if s.strip(" .")]
    if len(segments) < 2:
        return None
    country = _country(segments[-1])
    if country is not None:
        segments = segments[:-1]
    country = country or str(current.get("country") or "").upper()
    zip_code = city = ""
    street_end = len(segments)
    for i, segment in enumerate(segments):
        found = _postcode(segment) if i > 0 else None
        if found is None:
            continue
        zip_code = found.group(0).upper() if not found.group(0).isdigit() else found.group(0)
        city = (segment[:found.start()] + " " + segment[found.end():]).strip(" .-")
        if not city and i + 1 < len(segments):
            city = segments[i + 1]
        street_end = i
        break
    if not zip_code:
        return None  # every country the assistant speaks for has postcodes
    street = segments[:street_end]
    # Leading words without a number ("no", "nie, ...") are not the street.
    while street and not re.search(r"\d", street[0]):
        street = street[1:]
    if not street or not city or not country or not re.search(r"\d", street[0]):
        return None
    address = {"address1": street[0][:200], "city": city[:200], "country": country[:2]}
    if len(street) > 1:
        address["address2"] = ", ".join(street[1:])[:200]
    if zip_code:
        address["zip"] = zip_code[:200]
    for kept in ("name", "phone"):
        value = str(current.get(kept) or "").strip()
        if value:
            address[kept] = value[:200]
    return address


def one_line(address: dict[str, Any]) -> str:
    """The address as the shopper is asked to confirm it."""
    place = " ".join(p for p in (address.get("zip", ""), address.get("city", "")) if p)
    return ", ".join(p for p in (address.get("address1", ""), address.get("address2", ""),
                                 place, address.get("country", "")) if p)
