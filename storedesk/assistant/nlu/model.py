"""The intent model: TF-IDF features, a linear classifier, calibrated probabilities.

Training (`train`) fits the features and a LinearSVC on all examples; the decision scores of
held-out folds fit a softmax temperature, then a map from the top probability to how often such
a guess was right (so `confidence` is a calibrated probability) and, when
the examples have an out-of-scope label, the confidence threshold under which a message is
called out of scope. A trained model is a handful of arrays: `dumps`/`loads` store them as a
compressed NumPy archive without pickle, safe to keep in a database column.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .features import Block, Featurizer
from .text import features_text

if TYPE_CHECKING:
    import scipy.sparse as sp

FORMAT = "storedesk-intent-model/1"
# Bump when the features or the training recipe change: cached shipped models are keyed on it.
RECIPE_VERSION = "4"

Ranking = tuple[tuple[str, float], ...]
# The confidence a message none of whose words occurs in the examples needs to stay in scope.
UNKNOWN_WORDS_CONFIDENCE = 0.9


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def log_softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = scores - scores.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class IntentModel:
    """A trained intent classifier. `predict` returns (intent, confidence, top-3 ranking)."""

    def __init__(self, *, featurizer: Featurizer, classes: Sequence[str], coef: np.ndarray,
                 intercept: np.ndarray, temperature: float, threshold: float,
                 oos_label: str | None, info: dict[str, Any] | None = None,
                 calibration: tuple[Sequence[float], Sequence[float]] | None = None) -> None:
        self.featurizer = featurizer
        self.classes: tuple[str, ...] = tuple(classes)
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.temperature = float(temperature)
        self.threshold = float(threshold)
        self.oos_label = oos_label
        self.info: dict[str, Any] = dict(info or {})
        # (softmax probability of the top intent → how often such a guess was right), from
        # held-out folds; None: the softmax probability is reported as it is
        self.calibration = (None if calibration is None else
                            (tuple(map(float, calibration[0])), tuple(map(float, calibration[1]))))
        self._coef_t = np.ascontiguousarray(self.coef.T)  # rows = features: a cheap gather

    # --- prediction ---------------------------------------------------------------------------

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        x = self.featurizer.transform(texts)
        return np.asarray(x @ self._coef_t) + self.intercept

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.scores(texts) / self.temperature, axis=1)

    def calibrated(self, probability: float) -> float:
        """How likely a top intent of this softmax probability is right (held-out folds)."""
        if self.calibration is None:
            return probability
        return float(np.interp(probability, self.calibration[0], self.calibration[1]))

    def _decide(self, probs: np.ndarray, known_words: bool = True) -> tuple[str, float, Ranking]:
        """`known_words` is False when not one word of the message occurs in the training
        examples: then only character n-grams speak, and they make gibberish look like some
        short example ("kdjfh skdjf" like "ok"), so such a message needs UNKNOWN_WORDS_CONFIDENCE
        (real words the model has not seen, "entendido", "Seniorenkorting?", still get it)."""
        order = np.argsort(-probs)[:3]
        ranking = tuple((self.classes[i], round(float(probs[i]), 4)) for i in order)
        best, p = self.classes[order[0]], float(probs[order[0]])
        unsure = p < self.threshold or (not known_words and p < UNKNOWN_WORDS_CONFIDENCE)
        if self.oos_label is not None and best != self.oos_label and unsure:
            oos_index = self.classes.index(self.oos_label)
            return self.oos_label, max(float(probs[oos_index]), 1.0 - self.calibrated(p)), ranking
        return best, self.calibrated(p), ranking

    def predict(self, text: str) -> tuple[str, float, Ranking]:
        doc = features_text(text)
        cols, values = self.featurizer.vector(doc)
        scores = values @ self._coef_t[cols] + self.intercept
        return self._decide(softmax(scores / self.temperature), self.featurizer.knows_words(doc))

    def predict_many(self, texts: Sequence[str]) -> list[tuple[str, float, Ranking]]:
        if not texts:
            return []
        docs = [features_text(t) for t in texts]
        x = self.featurizer.transform(docs, prepared=True)
        probs = softmax((np.asarray(x @ self._coef_t) + self.intercept) / self.temperature,
                        axis=1)
        return [self._decide(row, self.featurizer.knows_words(doc))
                for row, doc in zip(probs, docs, strict=True)]

    # --- storage ------------------------------------------------------------------------------

    def dumps(self) -> bytes:
        meta = {
            "format": FORMAT, "classes": list(self.classes), "temperature": self.temperature,
            "threshold": self.threshold, "oos_label": self.oos_label, "info": self.info,
            "calibration": None if self.calibration is None else list(map(list, self.calibration)),
            "blocks": [{"kind": b.kind, "ngrams": list(b.ngrams), "weight": b.weight}
                       for b in self.featurizer.blocks],
        }
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            "coef": self.coef, "intercept": self.intercept,
        }
        for i, block in enumerate(self.featurizer.blocks):
            terms = sorted(block.vocabulary, key=block.vocabulary.__getitem__)
            arrays[f"vocab{i}"] = np.frombuffer("\n".join(terms).encode(), dtype=np.uint8)
            arrays[f"idf{i}"] = block.idf
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> IntentModel:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                meta = json.loads(bytes(archive["meta"]).decode())
                if meta.get("format") != FORMAT:
                    raise ValueError(f"not a {FORMAT} model: {meta.get('format')!r}")
                blocks = []
                for i, spec in enumerate(meta["blocks"]):
                    text = bytes(archive[f"vocab{i}"]).decode()
                    terms = text.split("\n") if text else []
                    blocks.append(Block(spec["kind"], (spec["ngrams"][0], spec["ngrams"][1]),
                                        {t: j for j, t in enumerate(terms)},
                                        np.asarray(archive[f"idf{i}"], dtype=np.float32),
                                        float(spec["weight"])))
                return cls(featurizer=Featurizer(blocks), classes=meta["classes"],
                           coef=archive["coef"], intercept=archive["intercept"],
                           temperature=meta["temperature"], threshold=meta["threshold"],
                           oos_label=meta["oos_label"], info=meta.get("info"),
                           calibration=meta.get("calibration"))
        except (OSError, KeyError, ValueError, TypeError, IndexError, UnicodeDecodeError,
                EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"cannot load the intent model: {exc}") from exc


# --- training ---------------------------------------------------------------------------------


def _fit_linear(x: sp.csr_matrix, y: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights (n_classes, n_features) and intercepts for the labels 0..n_classes-1."""
    from sklearn.svm import LinearSVC

    present = np.unique(y)
    coef = np.zeros((n_classes, x.shape[1]), dtype=np.float32)
    intercept = np.full(n_classes, -10.0, dtype=np.float32)  # a class never seen: never picked
    if len(present) == 1:
        intercept[present[0]] = 10.0
        return coef, intercept
    clf = LinearSVC(C=0.5, dual="auto", max_iter=5000, random_state=13)
    clf.fit(x, y)
    if len(present) == 2:  # sklearn returns one row for two classes
        coef[present[1]] = clf.coef_[0]
        intercept[present[1]] = clf.intercept_[0]
        coef[present[0]] = -clf.coef_[0]
        intercept[present[0]] = -clf.intercept_[0]
    else:
        coef[present] = clf.coef_
        intercept[present] = clf.intercept_
    return coef, intercept


def _folds(y: np.ndarray, k: int) -> Any:
    from sklearn.model_selection import KFold, StratifiedKFold

    counts = Counter(y.tolist())
    if min(counts.values()) >= k:
        return StratifiedKFold(n_splits=k, shuffle=True, random_state=13).split(np.zeros(len(y)), y)
    return KFold(n_splits=k, shuffle=True, random_state=13).split(np.zeros(len(y)))


def _held_out_scores(x: sp.csr_matrix, y: np.ndarray, n_classes: int, k: int) -> np.ndarray:
    scores = np.zeros((len(y), n_classes), dtype=np.float32)
    for train_idx, test_idx in _folds(y, k):
        coef, intercept = _fit_linear(x[train_idx], y[train_idx], n_classes)
        scores[test_idx] = np.asarray(x[test_idx] @ coef.T) + intercept
    return scores


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        logp = log_softmax(scores / np.exp(log_t), axis=1)
        return float(-logp[np.arange(len(y)), y].mean())

    found = minimize_scalar(nll, bounds=(np.log(0.01), np.log(10.0)), method="bounded")
    return float(np.exp(found.x))


# Top-label calibration: the held-out folds' top probabilities cut into this many equally
# full bins (at least CALIBRATION_PER_BIN examples each); each bin's mean probability maps to
# the share of its guesses that were right, made non-decreasing, interpolated in between.
# Temperature scaling alone leaves the shipped model over-sure at the top (softmax 0.99 → right
# 95 % of the time) and under-sure around 0.55 (right 65 %): one parameter cannot fix both.
CALIBRATION_BINS = 20
CALIBRATION_PER_BIN = 50


def _fit_calibration(probs: np.ndarray, y: np.ndarray
                     ) -> tuple[list[float], list[float]] | None:
    bins = min(CALIBRATION_BINS, len(y) // CALIBRATION_PER_BIN)
    if bins < 2:
        return None
    top = probs.max(axis=1)
    right = (probs.argmax(axis=1) == y).astype(np.float64)
    order = np.argsort(top, kind="stable")
    xs, ys = [], []
    for chunk in np.array_split(order, bins):
        xs.append(float(top[chunk].mean()))
        ys.append(float(right[chunk].mean()))
    ys = np.maximum.accumulate(ys).tolist()
    return [round(x, 5) for x in xs], [round(v, 5) for v in ys]


# How much in-scope accuracy (on held-out folds) the out-of-scope threshold may cost. The
# threshold is the highest one within this budget: every point of in-scope accuracy given up
# buys out-of-scope recall (CLINC150, held-out folds: 1.5 points bought ~40 points of recall).
IN_SCOPE_BUDGET = 0.015
MAX_THRESHOLD = 0.9


def _fit_threshold(probs: np.ndarray, y: np.ndarray, oos: int) -> float:
    """The confidence under which a message is out of scope, from held-out predictions: the
    highest threshold that keeps in-scope accuracy within IN_SCOPE_BUDGET of no threshold."""
    best = probs.argmax(axis=1)
    top = probs[np.arange(len(y)), best]
    in_scope = y != oos
    if not in_scope.any() or in_scope.all():
        return 0.0

    def in_scope_accuracy(threshold: float) -> float:
        predicted = np.where((best == oos) | (top < threshold), oos, best)
        return float((predicted[in_scope] == y[in_scope]).mean())

    floor = in_scope_accuracy(0.0) - IN_SCOPE_BUDGET
    chosen = 0.0
    for threshold in np.arange(0.05, MAX_THRESHOLD + 1e-9, 0.05):
        if in_scope_accuracy(float(threshold)) < floor:
            break
        chosen = round(float(threshold), 2)
    return chosen


def train(texts: Sequence[str], labels: Sequence[str], *,
          oos_label: str | None = "other", folds: int = 3) -> IntentModel:
    """A fresh model from examples. `oos_label` names the out-of-scope label when present."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    if not texts:
        raise ValueError("no training examples")
    started = time.perf_counter()
    classes = sorted(set(labels))
    index = {label: i for i, label in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    docs = [features_text(t) for t in texts]
    featurizer = Featurizer.fit(docs)
    x = featurizer.transform(docs, prepared=True)
    oos = oos_label if oos_label in index else None
    temperature, threshold = 1.0, 0.0
    calibration = None
    # The fits run one after the other: liblinear keeps its random generator in a global, so
    # fits in parallel threads are not reproducible (tried: up to 2x faster on an idle machine).
    if len(classes) > 1 and len(texts) >= 3 * folds:
        held_out = _held_out_scores(x, y, len(classes), folds)
        temperature = _fit_temperature(held_out, y)
        calibration = _fit_calibration(softmax(held_out / temperature, axis=1), y)
        if oos is not None:
            threshold = _fit_threshold(softmax(held_out / temperature, axis=1), y, index[oos])
    coef, intercept = _fit_linear(x, y, len(classes))
    info = {"recipe": RECIPE_VERSION, "n_train": len(texts), "features": featurizer.size,
            "train_seconds": round(time.perf_counter() - started, 3)}
    return IntentModel(featurizer=featurizer, classes=classes, coef=coef, intercept=intercept,
                       temperature=temperature, threshold=threshold, oos_label=oos, info=info,
                       calibration=calibration)


# --- evaluation -------------------------------------------------------------------------------


def evaluate(model: IntentModel, texts: Sequence[str], labels: Sequence[str], *,
             timing: bool = True, oos_label: str | None = None) -> dict[str, Any]:
    """Accuracy, macro F1, a per-label report, the most frequent confusions and, when the
    model's out-of-scope label occurs, in-scope accuracy and out-of-scope recall. With
    `timing`, each message is also predicted alone to measure the latency per message."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    predicted = [intent for intent, _, _ in model.predict_many(texts)]
    gold = list(labels)
    n = len(gold)
    result: dict[str, Any] = {
        "n": n,
        "accuracy": sum(p == g for p, g in zip(predicted, gold, strict=True)) / n if n else 0.0,
    }
    report: dict[str, dict[str, float]] = {}
    for label in sorted(set(gold) | set(predicted)):
        tp = sum(p == g == label for p, g in zip(predicted, gold, strict=True))
        n_pred = predicted.count(label)
        n_gold = gold.count(label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                         "f1": round(f1, 4), "support": n_gold}
    gold_labels = sorted(set(gold))
    result["macro_f1"] = (sum(report[label]["f1"] for label in gold_labels) / len(gold_labels)
                          if gold_labels else 0.0)
    result["per_label"] = report
    confusions = Counter((g, p) for p, g in zip(predicted, gold, strict=True) if p != g)
    result["confusions"] = [[g, p, c] for (g, p), c in confusions.most_common(20)]
    oos = oos_label or model.oos_label
    if oos is not None and oos in gold:
        in_scope = [(p, g) for p, g in zip(predicted, gold, strict=True) if g != oos]
        out = [p for p, g in zip(predicted, gold, strict=True) if g == oos]
        result["in_scope_accuracy"] = (sum(p == g for p, g in in_scope) / len(in_scope)
                                       if in_scope else 0.0)
        result["oos_recall"] = sum(p == oos for p in out) / len(out)
    if timing and n:
        # wall time per message, and this thread's CPU time (what the message costs, without
        # the waits a busy machine adds)
        wall, cpu = [], []
        for text in texts:
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            model.predict(text)
            wall.append((time.perf_counter_ns() - t0) / 1e6)
            cpu.append((time.thread_time_ns() - c0) / 1e6)
        result["p50_ms"] = float(np.percentile(wall, 50))
        result["p99_ms"] = float(np.percentile(wall, 99))
        result["cpu_p50_ms"] = float(np.percentile(cpu, 50))
        result["cpu_p99_ms"] = float(np.percentile(cpu, 99))
    return result
