"""One call for the assistant: language, intent and entities of a shopper's message."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from .entities import Entities, extract_entities
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
    language, language_confidence = detect_language(
        text, languages, prior=prior_language, browser_language=browser_language)
    intent, confidence, ranking = (model or shipped_model()).predict(text)
    entities = extract_entities(text, order_prefixes=order_prefixes, catalog=catalog,
                                today=today, country=country)
    return Understanding(language=language, language_confidence=language_confidence,
                         intent=intent, confidence=confidence, ranking=ranking,
                         entities=entities)
