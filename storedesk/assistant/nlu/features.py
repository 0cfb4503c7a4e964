"""TF-IDF features with a fixed vocabulary: word 1-2-grams, char_wb 2-5-grams, word pairs 2-5 apart.

The analyzers are the same as scikit-learn's (`analyzer="word"` n-grams over our tokens,
`analyzer="char_wb"`), written out here so that predicting needs NumPy only: importing
scikit-learn costs seconds, and a process that only classifies should not pay it. The
vocabularies and IDF weights are plain arrays, so a trained model is stored without pickle
(`IntentModel.dumps`). The same functions run at training and at prediction time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .text import features_text, tokens

if TYPE_CHECKING:
    import scipy.sparse as sp


def word_ngrams(doc: str, ngrams: tuple[int, int]) -> list[str]:
    words = tokens(doc)
    low, high = ngrams
    grams: list[str] = []
    for n in range(low, high + 1):
        if n == 1:
            grams.extend(words)
        else:
            grams.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return grams


def char_wb_ngrams(doc: str, ngrams: tuple[int, int]) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space (scikit-learn's char_wb)."""
    low, high = ngrams
    grams: list[str] = []
    for word in doc.split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            if length <= n:
                grams.append(padded)  # a short word counts once
                break
            grams.extend(padded[i:i + n] for i in range(length - n + 1))
    return grams


def skip_pairs(doc: str, distances: tuple[int, int]) -> list[str]:
    """Pairs of words `distances[0]`..`distances[1]` apart ("card~arrived" in "my card has not
    arrived"): what two words mean together when other words stand between them. Adjacent
    words are the word bigrams' job."""
    words = tokens(doc)
    low, high = distances
    return [f"{words[i]}~{words[j]}" for i in range(len(words))
            for j in range(i + low, min(len(words), i + high + 1))]


ANALYZERS: dict[str, Callable[[str, tuple[int, int]], list[str]]] = {
    "word": word_ngrams, "char": char_wb_ngrams, "skip": skip_pairs,
}


@dataclass
class Block:
    """One group of features: a vocabulary (term → column) and its IDF weights."""

    kind: str                      # "word", "char" or "skip"
    ngrams: tuple[int, int]        # n-gram lengths; for "skip", how far apart the words are
    vocabulary: dict[str, int]
    idf: np.ndarray
    weight: float = 1.0
    _analyze: Callable[[str, tuple[int, int]], list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._analyze = ANALYZERS[self.kind]

    def counts(self, doc: str) -> dict[int, int]:
        found: dict[int, int] = {}
        vocabulary = self.vocabulary
        for term in self._analyze(doc, self.ngrams):
            col = vocabulary.get(term)
            if col is not None:
                found[col] = found.get(col, 0) + 1
        return found

    def vector(self, doc: str) -> tuple[list[int], np.ndarray]:
        """Columns and values of one document: sublinear tf × idf, L2-normalised, weighted."""
        counts = self.counts(doc)
        if not counts:
            return [], np.zeros(0, dtype=np.float32)
        cols = list(counts)
        values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(cols)))
        values *= self.idf[cols]
        values *= self.weight / np.sqrt(np.dot(values, values))
        return cols, values

    @classmethod
    def fit(cls, kind: str, ngrams: tuple[int, int], docs: Sequence[str], *,
            min_df: int = 1, weight: float = 1.0) -> Block:
        analyze = ANALYZERS[kind]
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(analyze(doc, ngrams)))
        terms = sorted(term for term, count in df.items() if count >= min_df)
        n = len(docs)
        counts = np.array([df[term] for term in terms], dtype=np.float64)
        idf = (np.log((1 + n) / (1 + counts)) + 1).astype(np.float32)  # smooth idf
        return cls(kind, ngrams, {term: i for i, term in enumerate(terms)}, idf, weight)

    @property
    def size(self) -> int:
        return len(self.vocabulary)


@dataclass
class Featurizer:
    blocks: list[Block]

    def vector(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one prepared document (`text.features_text`)."""
        all_cols: list[int] = []
        all_values: list[np.ndarray] = []
        offset = 0
        for block in self.blocks:
            cols, values = block.vector(doc)
            all_cols.extend(c + offset for c in cols)
            all_values.append(values)
            offset += block.size
        return np.asarray(all_cols, dtype=np.intp), np.concatenate(all_values)

    def transform(self, texts: Sequence[str], *, prepared: bool = False) -> sp.csr_matrix:
        """A sparse matrix of many documents (training, batch prediction)."""
        import scipy.sparse as sp

        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for text in texts:
            cols, values = self.vector(text if prepared else features_text(text))
            indices.append(cols)
            data.append(values)
            indptr.append(indptr[-1] + len(cols))
        return sp.csr_matrix(
            (np.concatenate(data) if data else np.zeros(0, dtype=np.float32),
             np.concatenate(indices) if indices else np.zeros(0, dtype=np.intp), indptr),
            shape=(len(indptr) - 1, self.size), dtype=np.float32)

    def knows_words(self, doc: str) -> bool:
        """True when a word of `doc` is in the vocabulary (or the doc has no words at all)."""
        words = [b for b in self.blocks if b.kind == "word"]
        if not words:
            return True
        found = tokens(doc)
        return not found or any(t in words[0].vocabulary for t in found)

    @property
    def size(self) -> int:
        return sum(b.size for b in self.blocks)

    @classmethod
    def fit(cls, docs: Sequence[str]) -> Featurizer:
        """Vocabularies from prepared documents; rare character n-grams are dropped on large
        sets (they only cost memory)."""
        min_df = 2 if len(docs) >= 2000 else 1
        return cls([
            Block.fit("word", (1, 2), docs, min_df=1),
            Block.fit("char", (2, 5), docs, min_df=min_df),
            Block.fit("skip", (2, 5), docs, min_df=1),
        ])
