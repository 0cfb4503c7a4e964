"""Entities in a shopper's message: order numbers, emails, phones, tracking numbers,
postcodes, catalog products (rapidfuzz) and dates, in the eleven shipped languages.

Everything is regular expressions over the original text plus fuzzy matching of the caller's
catalog; nothing here knows a store, a database or a language model.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .text import fold, segment_thai, tokens


@dataclass(frozen=True)
class ProductMatch:
    product_id: str      # the id the caller passed in the catalog
    title: str
    score: float         # 0..100


@dataclass(frozen=True)
class Entities:
    order_numbers: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    tracking_numbers: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    products: tuple[ProductMatch, ...] = ()
    dates: tuple[datetime.date, ...] = ()


Span = tuple[int, int]


def _overlaps(span: Span, taken: Iterable[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --- order numbers ----------------------------------------------------------------------------

_ORDER_WORDS = (
    # en pl tr id th de es fr pt it nl (with and without diacritics; inflected stems)
    r"orders?|order\s*(?:no|nr|number|num|id|ref)|zam[oó]wieni\w*|nr\s+zam[oó]wienia|"
    r"sipari[sş]\w*|pesanan\w*|order-?an|คำสั่งซื้อ(?:เลขที่|หมายเลข)?|ออเดอร์|"
    r"bestell(?:ung|nummer|nr)\w*|auftrag\w*|pedido\w*|commande\w*|encomenda\w*|"
    r"ordine\w*|bestelling\w*|bestelnummer\w*|ordernummer\w*|"
    # shorthands: "zam. 1001", "cmd 1001", "ordr 1001"
    r"(?<![^\W\d_])(?:zam|cmd|ordr)(?![^\W\d_])"
)
# Words between "order" and its number ("no.", "nr", "numarası", ":"), each whole (not followed
# by a letter). Possessive (`*+`): a run of them is never re-split, so a long "no no no ..."
# costs linear time instead of exponential backtracking.
_ORDER_LINK = (
    r"(?:\s*+(?:(?:no|nr|n\.?\s?[°º]|n|number|numer(?:ze)?|numar\w*|nomor|num[ée]ro|n[uú]mero|"
    r"nummer|numero|id|ref|is)(?![^\W\d_])\.?|เลขที่|หมายเลข|[:#.-]))*+\s*+"
)
# After the number: not more of a word, except Thai, written without spaces ("ออเดอร์1001ถึงไหน").
_ORDER_END = r"(?![^\W\u0e00-\u0e7f]|-)"
_ORDER_KEYWORD = re.compile(
    rf"(?:{_ORDER_WORDS}){_ORDER_LINK}(?P<number>[A-Za-z]{{0,4}}-?\d{{3,12}}){_ORDER_END}",
    re.IGNORECASE,
)
# Turkish puts the number first: "1001 nolu siparişim", "1001 numaralı sipariş", "1001 siparişimi".
_ORDER_NUMBER_FIRST = re.compile(
    r"(?<![\w-])(?P<number>\d{3,12})\s*+(?:(?:'?n(?:o|umara)'?l[ıiuü]|numaral[ıi]|nr'?l[ıi])"
    r"\s*+sipari[sş]|sipari[sş](?=[^\W\d_]))",  # bare: "siparişim", never "sipariş verdim"
    re.IGNORECASE,
)
_ORDER_HASH = re.compile(r"(?<![\w&])#\s?(?P<number>\d{3,12})(?![\w-])")


def _order_numbers(text: str, prefixes: Sequence[str], taken: list[Span]) -> list[str]:
    found: list[tuple[int, str]] = []
    spans: list[Span] = []

    def add(span: Span, number: str) -> None:
        if not _overlaps(span, spans) and not _overlaps(span, taken):
            spans.append(span)
            found.append((span[0], number))

    for prefix in prefixes:
        core = prefix.strip()
        if not core or core == "#":
            continue
        letters = core.rstrip("-_/ ")
        separator = core[len(letters):]
        pattern = re.compile(
            rf"(?<![\w-])#?{re.escape(letters)}[-_/ ]?(?P<number>\d{{3,12}})(?![\w-])",
            re.IGNORECASE)
        for match in pattern.finditer(text):
            add(match.span(), f"{letters}{separator}{match.group('number')}")
    for match in _ORDER_HASH.finditer(text):
        add(match.span(), match.group("number"))
    for match in _ORDER_NUMBER_FIRST.finditer(text):
        add(match.span("number"), match.group("number"))
    for match in _ORDER_KEYWORD.finditer(text):
        number = match.group("number")
        letters = re.match(r"[A-Za-z]*", number).group(0)  # type: ignore[union-attr]
        digits = number[len(letters):].lstrip("-")
        if letters:
            known = [p for p in prefixes if p.strip().rstrip("-_/ ").lower() == letters.lower()]
            if not known:
                continue  # "order ABC123" with no such store prefix: not an order number
            core = known[0].strip()
            number = f"{core.rstrip('-_/ ')}{core[len(core.rstrip('-_/ ')):]}{digits}"
        else:
            number = digits
        add(match.span("number"), number)
    taken.extend(spans)
    return [number for _, number in sorted(found)]


# --- emails, tracking numbers -----------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")

_TRACKING_PATTERNS = [
    re.compile(r"(?<![0-9A-Z])1Z(?:\s?[0-9A-Z]){16}(?![0-9A-Z])", re.IGNORECASE),  # UPS
    re.compile(r"(?<![0-9A-Z])[A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}\s?[A-Z]{2}(?![0-9A-Z])"),  # S10
    re.compile(r"(?<![0-9A-Z])3S[A-Z]{4}\d{6,9}(?![0-9A-Z])", re.IGNORECASE),  # PostNL
    re.compile(r"(?<![0-9A-Z])(?:JJD|JVGL)\d{10,22}(?![0-9A-Z])", re.IGNORECASE),  # DHL
    re.compile(r"(?<![0-9A-Z])GM\d{16,22}(?![0-9A-Z])", re.IGNORECASE),  # DHL eCommerce
    re.compile(r"(?<![0-9A-Z])J[PDXT]\d{10,12}(?![0-9A-Z])", re.IGNORECASE),  # J&T
    re.compile(r"(?<![0-9A-Z])KE[A-Z]{2}\d{9,10}(?![0-9A-Z])", re.IGNORECASE),  # Kerry (TH)
    re.compile(r"(?<![0-9A-Z])TH\d{10,13}[A-Z]?(?![0-9A-Z])", re.IGNORECASE),  # Flash (TH)
    re.compile(r"(?<![\d])(?:\d\s?){24}(?![\d])"),  # InPost (24 digits)
    re.compile(r"(?<![\d])9[2-5](?:\s?\d){18,24}(?![\d])"),  # USPS
    re.compile(r"(?<![\d])00340(?:\s?\d){15}(?![\d])"),  # DHL Paket
]
_TRACKING_WORDS = (
    r"tracking|track(?:\s*&\s*trace)?|trace|awb|waybill|consignment|shipment|parcel|"
    r"przesy[lł]k\w*|list\w*\s+przewozow\w*|paczk\w*|takip|g[oö]nderi\w*|kargo\w*|"
    r"resi|no\.?\s*resi|nomor\s+resi|เลขพัสดุ|เลขแทร็?ค|หมายเลขพัสดุ|"
    r"sendung\w*|paket\w*|seguimiento|env[ií]o|suivi|colis|rastreio|rastreamento|encomenda|"
    r"spedizione|tracciamento|pacco|zending|pakket|barcode"
)
_CARRIERS = (r"ups|dhl|jne|j&t|jnt|inpost|usps|postnl|yurti[cç]i|aras|kerry|flash|royal\s+mail|"
             r"sicepat|anteraja|ninja|gls|dpd|fedex|correos|colissimo|ctt|brt|sda|mng|ptt")
_TRACKING_LINK = (
    rf"(?:\s*+(?:(?:{_CARRIERS}|no|nr|number|numer|numar\w*|nomor|code|c[oó]digo|num[ée]ro|"
    r"n[uú]mero|nummer|numero|kodu|is)(?![^\W\d_])\.?|[:#-]))*+\s*+"
)
_TRACKING_KEYWORD = re.compile(
    rf"(?:{_TRACKING_WORDS}){_TRACKING_LINK}"
    r"(?P<number>(?=[A-Z0-9-]*\d{6})[A-Z0-9][A-Z0-9-]{7,29})(?![\w-])",
    re.IGNORECASE,
)


def _tracking_numbers(text: str, taken: list[Span]) -> list[str]:
    found: list[tuple[int, str]] = []
    spans: list[Span] = []
    for pattern in _TRACKING_PATTERNS:
        for match in pattern.finditer(text):
            if not _overlaps(match.span(), spans):
                spans.append(match.span())
                found.append((match.start(), re.sub(r"\s", "", match.group(0)).upper()))
    for match in _TRACKING_KEYWORD.finditer(text):
        span = match.span("number")
        if not _overlaps(span, spans) and not _overlaps(span, taken):
            spans.append(span)
            found.append((span[0], match.group("number").upper()))
    taken.extend(spans)
    return list(_unique(number for _, number in sorted(found)))


# --- phones -----------------------------------------------------------------------------------

_CALLING_CODES = {
    "US": ("1", False), "CA": ("1", False), "GB": ("44", True), "IE": ("353", True),
    "PL": ("48", False), "TR": ("90", True), "ID": ("62", True), "TH": ("66", True),
    "DE": ("49", True), "AT": ("43", True), "CH": ("41", True), "ES": ("34", False),
    "MX": ("52", False), "FR": ("33", True), "BE": ("32", True), "PT": ("351", False),
    "BR": ("55", True), "IT": ("39", False), "NL": ("31", True), "MY": ("60", True),
    "SG": ("65", False), "AU": ("61", True),
}
_PHONE = re.compile(r"(?<![\w+])(?P<plus>\+|00)?\(?\d[\d\s().\-/]{5,20}\d(?![\w])")
_PHONE_WORDS = re.compile(
    r"(?:phone|tel|mobile|cell|call|whats\s?app|wa|telefon\w*|kom[oó]rk\w*|numara\w*|"
    r"cep|hp|no\.?\s*hp|nomor|โทร|เบอร์|handy|mobil\w*|tel[ée]fono|t[ée]l[ée]phone|portable|"
    r"telefone|celular|cellulare|numero|nummer)\W{0,3}$",
    re.IGNORECASE,
)


def _phones(text: str, country: str | None, taken: list[Span]) -> list[str]:
    found: list[str] = []
    code, trunk = _CALLING_CODES.get((country or "").upper(), (None, False))
    for match in _PHONE.finditer(text):
        if _overlaps(match.span(), taken):
            continue
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 8 <= len(digits) <= 15:
            continue
        separated = re.search(r"[\s().\-/]", raw) is not None
        keyword = _PHONE_WORDS.search(text[max(0, match.start() - 25):match.start()])
        if match.group("plus") == "+":
            found.append("+" + digits)
        elif match.group("plus") == "00":
            found.append("+" + digits[2:])
        elif digits.startswith("0") or separated or keyword:
            if code and trunk and digits.startswith("0") and not digits.startswith("00"):
                found.append(f"+{code}{digits[1:]}")
            elif code and not trunk and 9 <= len(digits) <= 10:
                found.append(f"+{code}{digits}")
            else:
                found.append(digits)
        else:
            continue
        taken.append(match.span())
    return list(_unique(found))


# --- postcodes --------------------------------------------------------------------------------

_POSTCODE_WORDS = (
    r"zip(?:\s*code)?|post\s*code|postcode|postal\s*code|kod(?:\s+pocztowy)?|posta\s*kodu|"
    r"kode\s*pos|รหัสไปรษณีย์|plz|postleitzahl|c[oó]digo\s+postal|c\.?p\.?|code\s+postal|cap"
)
_POSTCODE_PATTERNS = [
    (re.compile(rf"(?:{_POSTCODE_WORDS})\W{{0,3}}(?P<code>\d{{4,6}}(?:-\d{{3,4}})?)(?!\w)",
                re.IGNORECASE), "code"),
    (re.compile(r"(?<![\w-])(?P<code>\d{2}-\d{3})(?![\w-])"), "code"),  # PL
    (re.compile(r"(?<![\w-])(?P<code>\d{4}-\d{3}|\d{5}-\d{3,4})(?![\w-])"), "code"),  # PT BR US
    (re.compile(r"(?<![\w-])(?P<code>\d{4}\s?[A-Z]{2})(?![\w-])"), "code"),  # NL
    (re.compile(r"(?<![\w-])(?P<code>[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})(?![\w-])",
                re.IGNORECASE), "uk"),
]


def _postcodes(text: str, taken: list[Span]) -> list[str]:
    found: list[tuple[int, str]] = []
    for pattern, kind in _POSTCODE_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span("code")
            if _overlaps(span, taken):
                continue
            code = match.group("code").upper()
            if kind == "uk":
                compact = code.replace(" ", "")
                code = f"{compact[:-3]} {compact[-3:]}"
            taken.append(span)
            found.append((span[0], code))
    return list(_unique(code for _, code in sorted(found)))


# --- dates ------------------------------------------------------------------------------------

_RELATIVE = {
    0: ("today", "tonight", "dzis", "dzisiaj", "bugun", "hari ini", "วันนี้", "heute", "hoy",
        "aujourd'hui", "aujourdhui", "hoje", "oggi", "vandaag", "esta manana", "this morning"),
    1: ("tomorrow", "jutro", "yarin", "besok", "พรุ่งนี้", "morgen", "manana", "demain",
        "amanha", "domani"),
    -1: ("yesterday", "wczoraj", "dun", "kemarin", "เมื่อวาน", "เมื่อวานนี้", "gestern",
         "ayer", "hier", "ontem", "ieri", "gisteren"),
    2: ("day after tomorrow", "pojutrze", "lusa", "มะรืนนี้", "ubermorgen", "pasado manana",
        "apres-demain", "apres demain", "depois de amanha", "dopodomani", "overmorgen"),
    -2: ("day before yesterday", "przedwczoraj", "evvelsi gun", "kemarin lusa",
         "vorgestern", "anteayer", "avant-hier", "anteontem", "l'altro ieri", "eergisteren"),
}
_NOT_DATES = re.compile(r"guten morgen|goede morgen|la manana|por la manana|de manana|"
                        r"buenos dias|morgens", re.IGNORECASE)
_WEEKDAYS = [
    ("monday", "poniedzialek", "poniedzialku", "pazartesi", "senin", "วันจันทร์", "montag",
     "lunes", "lundi", "segunda", "segunda-feira", "lunedi", "maandag"),
    ("tuesday", "wtorek", "wtorku", "sali", "selasa", "วันอังคาร", "dienstag", "martes", "mardi",
     "terca", "terca-feira", "martedi", "dinsdag"),
    ("wednesday", "sroda", "srode", "sroda", "carsamba", "rabu", "วันพุธ", "mittwoch",
     "miercoles", "mercredi", "quarta", "quarta-feira", "mercoledi", "woensdag"),
    ("thursday", "czwartek", "czwartku", "persembe", "kamis", "วันพฤหัสบดี", "วันพฤหัส",
     "donnerstag", "jueves", "jeudi", "quinta", "quinta-feira", "giovedi", "donderdag"),
    ("friday", "piatek", "piatku", "cuma", "jumat", "jum'at", "วันศุกร์", "freitag", "viernes",
     "vendredi", "sexta", "sexta-feira", "venerdi", "vrijdag"),
    ("saturday", "sobota", "sobote", "cumartesi", "sabtu", "วันเสาร์", "samstag", "sabado",
     "samedi", "sabato", "zaterdag"),
    ("sunday", "niedziela", "niedziele", "pazar", "minggu", "วันอาทิตย์", "sonntag", "domingo",
     "dimanche", "domenica", "zondag"),
]
_AGO = re.compile(
    r"(?P<n>\d{1,3})\s*(?:days?\s+ago|dni\s+temu|dzien\s+temu|gun\s+once|hari\s+(?:yang\s+)?lalu|"
    r"วันก่อน|วันที่แล้ว|tagen?\s*$|dias?\s+atras|jours?\s*$|giorni\s+fa|dagen?\s+geleden)"
)
_AGO_BEFORE = re.compile(r"(?:vor|hace|il y a|ha|há|เมื่อ)\s+(?P<n>\d{1,3})\s*"
                         r"(?:tagen|tag|dias|dia|jours|jour|วันก่อน|วันที่แล้ว)")
_IN_DAYS = re.compile(r"(?:in|within|za|dalam|en|dans|em|tra|fra|binnen|ภายใน)\s+(?P<n>\d{1,2})\s*"
                      r"(?:days?|dni|hari|tagen|dias|jours|giorni|dagen|วัน)")
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<![\d.,/-])(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4}|\d{2})"
                  r"(?![\d/-]|\.\d)")
_DM = re.compile(r"(?<![\d.,/-])(?P<d>\d{1,2})(?:/(?P<m1>\d{1,2})|\.(?P<m2>\d{1,2})\.)"
                 r"(?![\d/]|\.?\d)")


def _valid(year: int, month: int, day: int) -> datetime.date | None:
    if year > 2400:  # Thai Buddhist era
        year -= 543
    if year < 100:
        year += 2000
    for d, m in ((day, month), (month, day)):  # day-first; month-first when that is impossible
        try:
            return datetime.date(year, m, d)
        except ValueError:
            continue
    return None


def _words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One alternation of whole words (longest first; Thai has no word boundaries)."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        thai = any("\u0e00" <= ch <= "\u0e7f" for ch in word)
        parts.append(re.escape(word) if thai else rf"(?<![\w']){re.escape(word)}(?![\w'])")
    return re.compile("|".join(parts))


_RELATIVE_OFFSET = {word: offset for offset, words in _RELATIVE.items() for word in words}
_RELATIVE_WORDS = _words_pattern(_RELATIVE_OFFSET)
_WEEKDAY_INDEX = {name: index for index, names in enumerate(_WEEKDAYS) for name in names}
_WEEKDAY_WORDS = _words_pattern(_WEEKDAY_INDEX)


def _dates(text: str, today: datetime.date, taken: list[Span]) -> list[datetime.date]:
    found: list[tuple[int, datetime.date]] = []
    for pattern in (_ISO, _DMY, _DM):
        for match in pattern.finditer(text):
            if _overlaps(match.span(), taken):
                continue
            groups = match.groupdict()
            month = groups.get("m") or groups.get("m1") or groups.get("m2")
            year = int(groups["y"]) if groups.get("y") else today.year
            value = _valid(year, int(month or 0), int(groups["d"]))
            if value is not None:
                taken.append(match.span())
                found.append((match.start(), value))
    folded = fold(text)
    blocked = [m.span() for m in _NOT_DATES.finditer(folded)]
    for match in _RELATIVE_WORDS.finditer(folded):
        if not _overlaps(match.span(), blocked):
            offset = _RELATIVE_OFFSET[match.group(0)]
            found.append((match.start(), today + datetime.timedelta(days=offset)))
    for match in _WEEKDAY_WORDS.finditer(folded):
        back = (today.weekday() - _WEEKDAY_INDEX[match.group(0)]) % 7  # the latest (or today)
        found.append((match.start(), today - datetime.timedelta(days=back)))
    for pattern, sign in ((_AGO, -1), (_AGO_BEFORE, -1), (_IN_DAYS, 1)):
        for match in pattern.finditer(folded):
            found.append((match.start(), today + datetime.timedelta(
                days=sign * int(match.group("n")))))
    return list(dict.fromkeys(value for _, value in sorted(found, key=lambda f: f[0])))


# --- products ---------------------------------------------------------------------------------

PRODUCT_MIN_SCORE = 60.0
_TOKEN_MIN_RATIO = 85.0


def _words(text: str) -> list[str]:
    return [w for w in tokens(segment_thai(fold(text))) if len(w) >= 2 and not w.isdigit()]


def title_words(text: str) -> list[str]:
    """The folded words product matching compares (no digits, none under two letters)."""
    return _words(text)


def _products(text: str, catalog: Sequence[tuple[str, str]]) -> list[ProductMatch]:
    if not catalog:
        return []
    text_words = list(dict.fromkeys(_words(text)))
    if not text_words:
        return []
    folded_text = " ".join(text_words)
    token_match: dict[str, float] = {}
    results = []
    for product_id, title in catalog:
        title_words = list(dict.fromkeys(_words(title)))
        if not title_words:
            continue
        total = matched = 0.0
        distinctive = False
        for word in title_words:
            if word not in token_match:
                best = process.extractOne(word, text_words, scorer=fuzz.ratio,
                                          score_cutoff=_TOKEN_MIN_RATIO if len(word) > 3
                                          else 100.0)
                token_match[word] = float(best[1]) if best else 0.0
            weight = float(len(word))
            total += weight
            if token_match[word]:
                matched += weight * token_match[word] / 100.0
                distinctive = distinctive or len(word) >= 4
        if not distinctive:
            continue
        coverage = 100.0 * matched / total
        phrase = fuzz.partial_ratio(" ".join(title_words), folded_text)
        score = round(max(coverage, 0.5 * coverage + 0.5 * phrase), 1)
        if score >= PRODUCT_MIN_SCORE:
            results.append(ProductMatch(str(product_id), title, score))
    results.sort(key=lambda m: -m.score)
    return results[:5]


# --- all together -----------------------------------------------------------------------------


def extract_entities(text: str, *, order_prefixes: Sequence[str] = (),
                     catalog: Sequence[tuple[str, str]] = (),
                     today: datetime.date | None = None,
                     country: str | None = None) -> Entities:
    """Every entity found in `text`. `order_prefixes` are the store's order-number prefixes
    (e.g. "#", "LL-"); `catalog` is (product_id, title) pairs; `country` (ISO 3166, optional)
    turns national phone numbers into E.164."""
    today = today or datetime.date.today()
    taken: list[Span] = []
    emails = _unique(m.group(0).lower() for m in _EMAIL.finditer(text))
    taken.extend(m.span() for m in _EMAIL.finditer(text))
    tracking = _tracking_numbers(text, taken)
    orders = _order_numbers(text, order_prefixes, taken)
    dates = _dates(text, today, taken)
    postcodes = _postcodes(text, taken)
    phones = _phones(text, country, taken)
    return Entities(
        order_numbers=_unique(orders), emails=emails, phones=tuple(phones),
        tracking_numbers=tuple(tracking), postcodes=tuple(postcodes),
        products=tuple(_products(text, catalog)), dates=tuple(dates),
    )
