"""One call for the assistant: language, intent and entities of a shopper's message."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from .entities import Entities, extract_entities, title_words
from .language import detect_language
from .model import IntentModel
from .shipped import shipped_model


@dataclass(frozen=True)
class Understanding:
    language: str            # one of `languages`, e.g. "pl"
    language_confidence: float
    intent: str              # one of the model's classes; "other" under the threshold
    confidence: float        # calibrated probability of `intent` (0..1)
    ranking: tuple[tuple[str, float], ...]   # top 3 (intent, probability)
    entities: Entities


def understand(text: str, *, languages: Sequence[str], prior_language: str | None = None,
               browser_language: str | None = None, order_prefixes: Sequence[str] = (),
               catalog: Sequence[tuple[str, str]] = (), model: IntentModel | None = None,
               today: datetime.date | None = None, country: str | None = None) -> Understanding:
    """`model` defaults to the shipped one (an account's retrained model when it has one)."""
    entities = extract_entities(text, order_prefixes=order_prefixes, catalog=catalog,
                                today=today, country=country)
    language, language_confidence = detect_language(
        without_product_names(text, entities), languages, prior=prior_language,
        browser_language=browser_language)
    intent, confidence, ranking = (model or shipped_model()).predict(text)
    return Understanding(language=language, language_confidence=language_confidence,
                         intent=intent, confidence=confidence, ranking=ranking,
                         entities=entities)


def without_product_names(text: str, entities: Entities) -> str:
    """The text without the words of the catalog titles it names, for language detection: a
    product's name is in the store's language, not the shopper's ("Herringbone wool throw ne
    zaman gelir?" is Turkish). The text itself when little else is left."""
    named = {word for match in entities.products for word in title_words(match.title)}
    if not named:
        return text
    kept = [token for token in text.split()
            if not (words := title_words(token)) or not set(words) <= named]
    return " ".join(kept) if len(kept) >= 2 else text
