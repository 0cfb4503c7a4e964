"""The assistant's language understanding: a pure library (scikit-learn, lingua, rapidfuzz).

No Django model and no other storedesk app is imported here; the assistant app and the CLI
call it. The contract: docs/architecture.md ("The assistant's NLU").
"""

from __future__ import annotations

from .entities import Entities, ProductMatch, extract_entities
from .intents import INTENTS, OTHER
from .language import detect_language
from .model import IntentModel, evaluate, train
from .shipped import SHIPPED_LANGUAGES, shipped_examples, shipped_model
from .understand import Understanding, understand

__all__ = [
    "INTENTS", "OTHER", "SHIPPED_LANGUAGES", "Entities", "IntentModel", "ProductMatch",
    "Understanding", "detect_language", "evaluate", "extract_entities", "shipped_examples",
    "shipped_model", "train", "understand",
]
