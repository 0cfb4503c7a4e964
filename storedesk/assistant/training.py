"""Retraining on one account's labelled conversations (what an agent said the shopper wanted).

The account's examples are split deterministically: taken round-robin over the intents, every
fourth one is held out.
The new model learns from the shipped multilingual examples plus the rest of the account's,
and its accuracy on the held-out part is what the admin screen shows, next to the shipped
model's on the same conversations.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from typing import Any

from storedesk.assistant.queries import labelled_examples

MIN_LABELLED = 10
HOLD_OUT_EVERY = 4
ACCOUNT_WEIGHT = 3  # each account example counts this many times next to the shipped ones


def split(examples: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for text, label in examples:
        by_label[label].append((text, label))
    interleaved = [pair for group in itertools.zip_longest(*(by_label[k] for k in sorted(by_label)))
                   for pair in group if pair is not None]
    train: list[tuple[str, str]] = []
    test: list[tuple[str, str]] = []
    for n, pair in enumerate(interleaved):
        (test if n % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1 else train).append(pair)
    if not test and len(train) > 1:
        test.append(train.pop())
    return train, test


def _percent(value: Any) -> float | None:
    return round(100 * float(value), 1) if value is not None else None


def retrain(account_id: int) -> tuple[bytes | None, dict[str, Any]]:
    """(model bytes or None, report) for the account."""
    from storedesk.assistant import nlu

    examples = [(t, label) for t, label in labelled_examples(account_id) if label in nlu.INTENTS]
    if len(examples) < MIN_LABELLED:
        return None, {"error": f"Retraining needs at least {MIN_LABELLED} conversations whose "
                               f"intent an agent set; this account has {len(examples)}.",
                      "n_labelled": len(examples)}
    train, test = split(examples)
    shipped = nlu.shipped_examples()
    texts = [text for _lang, text, _label in shipped]
    labels = [label for _lang, _text, label in shipped]
    for text, label in train:
        texts += [text] * ACCOUNT_WEIGHT
        labels += [label] * ACCOUNT_WEIGHT
    started = time.perf_counter()
    model = nlu.train(texts, labels, oos_label="other")
    seconds = time.perf_counter() - started
    test_texts = [t for t, _ in test]
    test_labels = [label for _, label in test]
    result = nlu.evaluate(model, test_texts, test_labels)
    baseline = nlu.evaluate(nlu.shipped_model(), test_texts, test_labels)
    report = {
        "accuracy": result.get("accuracy"),
        "accuracy_percent": _percent(result.get("accuracy")),
        "macro_f1": result.get("macro_f1"),
        "macro_f1_percent": _percent(result.get("macro_f1")),
        "shipped_accuracy": baseline.get("accuracy"),
        "shipped_accuracy_percent": _percent(baseline.get("accuracy")),
        "n_train": len(train),
        "n_test": len(test),
        "n_labelled": len(examples),
        "train_seconds": round(seconds, 2),
    }
    return model.dumps(), report
