"""Language detection restricted to the account's languages (lingua), with priors.

A lingua detector is built for each distinct set of languages, lazily, and kept in a small
per-process LRU (a detector only loads the models of its own languages; all 75 would cost
~1 GB). Priors: the contact's previous language and the widget's browser language. They decide
texts too short to carry a language ("ok", "hi", "#1001") and weigh in when lingua is unsure;
a long text in another language still wins. lingua's confidences are weighed with a small
model of the team's shipped examples (`language_examples`), which knows how shoppers write short
messages ("ok obg", "bedankt!", "posso pagare con satispay?") where lingua alone guesses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .language_examples import EXAMPLES_WEIGHT, example_languages

# How much more likely a language is when it is the contact's previous language / the
# browser's: multipliers on lingua's confidence before renormalising.
PRIOR_WEIGHT = 2.0
BROWSER_WEIGHT = 1.3
# ... and when the text is short (a word or two) or lingua is unsure: then lingua's guess is
# little better than chance (it calls "hallo" English and "merci" English among de/nl/en).
# (16: on the held-out shipped examples of at most four words, the right previous language
# takes 93.5 % to 98.0 % correct, a wrong one costs 1.6 points; 8 gave 97.3 % and -0.6,
# 30 gave 98.1 % and -2.4.)
SHORT_PRIOR_WEIGHT = 16.0
SHORT_BROWSER_WEIGHT = 3.0
SHORT_WORDS = 2
SHORT_LETTERS = 15
UNSURE = 0.5
# Added to lingua's confidence before the examples' model weighs in: lingua says 0.0 for a
# language it rules out, and a short text it misreads must still be able to move.
LINGUA_FLOOR = 1e-4
# Fewer letters than this and the text says nothing about its language.
MIN_LETTERS = 4
# What a fallback (prior, browser, account default) reports as its confidence.
PRIOR_CONFIDENCE = 0.6
BROWSER_CONFIDENCE = 0.5
DEFAULT_CONFIDENCE = 0.3

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|#?\b[\w-]*\d[\w-]*\b")
# Scripts that belong to one language among those lingua may be restricted to.
_SCRIPTS = {
    "th": re.compile("[\u0e00-\u0e7f]"),
    "ja": re.compile("[\u3040-\u30ff]"),
    "ko": re.compile("[\uac00-\ud7af]"),
    "el": re.compile("[\u0370-\u03ff]"),
    "he": re.compile("[\u0590-\u05ff]"),
    "ka": re.compile("[\u10a0-\u10ff]"),
    "hy": re.compile("[\u0530-\u058f]"),
}


def base_code(code: str) -> str:
    """'pt-BR' → 'pt', 'zh_Hans' → 'zh'."""
    return re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...]) -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    isos = []
    for code in codes:
        try:
            isos.append(IsoCode639_1.from_str(code))
        except ValueError:
            continue
    if len(isos) < 2:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*isos).build()


def _known(codes: tuple[str, ...]) -> tuple[str, ...]:
    from lingua import IsoCode639_1

    known = []
    for code in codes:
        try:
            IsoCode639_1.from_str(code)
        except ValueError:
            continue
        known.append(code)
    return tuple(known)


def detect_language(text: str, languages: Sequence[str], *, prior: str | None = None,
                    browser_language: str | None = None) -> tuple[str, float]:
    """The most likely of `languages` (codes as the caller gives them; the first is the account's
    default) for `text`, and a confidence in 0..1."""
    if not languages:
        raise ValueError("no languages to choose from")
    by_base: dict[str, str] = {}
    for code in languages:
        by_base.setdefault(base_code(code), code)
    prior_base = base_code(prior) if prior else None
    browser_base = base_code(browser_language) if browser_language else None

    def fallback() -> tuple[str, float]:
        if prior_base in by_base:
            return by_base[prior_base], PRIOR_CONFIDENCE
        if browser_base in by_base:
            return by_base[browser_base], BROWSER_CONFIDENCE
        return languages[0], DEFAULT_CONFIDENCE

    if len(by_base) == 1:
        return languages[0], 1.0
    for code, script in _SCRIPTS.items():
        if code in by_base and script.search(text):
            return by_base[code], 0.99
    cleaned = _NOISE.sub(" ", text)
    if len(_LETTER.findall(cleaned)) < MIN_LETTERS:
        return fallback()
    codes = tuple(sorted(by_base))
    detector = _detector(_known(codes))
    if detector is None:
        return fallback()
    lingua = {value.language.iso_code_639_1.name.lower(): float(value.value)
              for value in detector.compute_language_confidence_values(cleaned)}
    combined = _with_examples(cleaned, lingua)
    letters = len(_LETTER.findall(cleaned))
    top = max(combined.values(), default=0.0)
    short = len(cleaned.split()) <= SHORT_WORDS or letters < SHORT_LETTERS or top < UNSURE
    prior_weight = SHORT_PRIOR_WEIGHT if short else PRIOR_WEIGHT
    browser_weight = SHORT_BROWSER_WEIGHT if short else BROWSER_WEIGHT
    weighted: dict[str, float] = {}
    for code, value in combined.items():
        weight = value
        if code == prior_base:
            weight *= prior_weight
        if code == browser_base:
            weight *= browser_weight
        weighted[code] = weight
    total = sum(weighted.values())
    if total <= 0:
        return fallback()
    best = max(weighted, key=weighted.__getitem__)
    return by_base[best], round(weighted[best] / total, 4)


def _with_examples(text: str, lingua: dict[str, float]) -> dict[str, float]:
    """lingua's confidences times the shipped examples' model (`language_examples`), raised to
    EXAMPLES_WEIGHT, renormalised. Languages that model has not seen keep lingua's share."""
    examples = example_languages().probabilities(text, list(lingua))
    if len(examples) < 2:
        return lingua
    known_share = sum(lingua[code] for code in examples)
    scores = {code: (lingua[code] + LINGUA_FLOOR) * examples[code] ** EXAMPLES_WEIGHT
              for code in examples}
    total = sum(scores.values())
    combined = dict(lingua)
    for code, score in scores.items():
        combined[code] = known_share * score / total
    return combined
