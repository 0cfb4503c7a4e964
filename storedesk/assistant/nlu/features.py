"""TF-IDF features with a fixed vocabulary: word 1-2-grams and char_wb 2-5-grams.

The vocabularies and IDF weights are plain arrays, so a trained model is stored without pickle
(`IntentModel.dumps`). The same `transform` runs at training and at prediction time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from .text import features_text, tokens


def _word_vectorizer(ngrams: tuple[int, int], *, vocabulary: dict[str, int] | None = None,
                     min_df: int = 1) -> CountVectorizer:
    return CountVectorizer(tokenizer=tokens, token_pattern=None, lowercase=False,
                           ngram_range=ngrams, min_df=min_df, vocabulary=vocabulary,
                           dtype=np.float32)


def _char_vectorizer(ngrams: tuple[int, int], *, vocabulary: dict[str, int] | None = None,
                     min_df: int = 1) -> CountVectorizer:
    return CountVectorizer(analyzer="char_wb", lowercase=False, ngram_range=ngrams,
                           min_df=min_df, vocabulary=vocabulary, dtype=np.float32)


@dataclass
class Block:
    """One group of features: a vocabulary (term → column) and its IDF weights."""

    kind: str                      # "word" or "char"
    ngrams: tuple[int, int]
    vocabulary: dict[str, int]
    idf: np.ndarray
    weight: float = 1.0

    def __post_init__(self) -> None:
        make = _word_vectorizer if self.kind == "word" else _char_vectorizer
        self._counter = make(self.ngrams, vocabulary=self.vocabulary)
        self._analyze = self._counter.build_analyzer()

    def vector(self, doc: str) -> tuple[list[int], np.ndarray]:
        """The same values as one row of `transform`, without building a sparse matrix (the
        per-message path: a tenth of the time)."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for term in self._analyze(doc):
            col = vocabulary.get(term)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        if not counts:
            return [], np.zeros(0, dtype=np.float32)
        cols = list(counts)
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(cols))))
        values *= self.idf[cols]
        values *= self.weight / np.sqrt(np.dot(values, values))
        return cols, values

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = self._counter.transform(texts).tocsr()
        counts.data = 1.0 + np.log(counts.data)  # sublinear tf
        tfidf = counts.multiply(self.idf).tocsr()
        tfidf = normalize(tfidf, norm="l2", copy=False)
        if self.weight != 1.0:
            tfidf.data *= self.weight
        return tfidf

    @classmethod
    def fit(cls, kind: str, ngrams: tuple[int, int], texts: Sequence[str], *,
            min_df: int = 1, weight: float = 1.0) -> Block:
        make = _word_vectorizer if kind == "word" else _char_vectorizer
        counter = make(ngrams, min_df=min_df)
        counts = counter.fit_transform(texts)
        n = counts.shape[0]
        df = np.bincount(counts.tocsc().indices, minlength=counts.shape[1])
        idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        vocabulary = {term: int(col) for term, col in counter.vocabulary_.items()}
        return cls(kind, ngrams, vocabulary, idf, weight)

    @property
    def size(self) -> int:
        return len(self.vocabulary)


@dataclass
class Featurizer:
    blocks: list[Block]

    def transform(self, texts: Sequence[str], *, prepared: bool = False) -> sp.csr_matrix:
        docs = list(texts) if prepared else [features_text(t) for t in texts]
        return sp.hstack([b.transform(docs) for b in self.blocks], format="csr")

    def knows_words(self, doc: str) -> bool:
        """True when a word of `doc` is in the vocabulary (or the doc has no words at all)."""
        words = [b for b in self.blocks if b.kind == "word"]
        if not words:
            return True
        found = tokens(doc)
        return not found or any(t in words[0].vocabulary for t in found)

    def vector(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one prepared document (see `Block.vector`)."""
        all_cols: list[int] = []
        all_values: list[np.ndarray] = []
        offset = 0
        for block in self.blocks:
            cols, values = block.vector(doc)
            all_cols.extend(c + offset for c in cols)
            all_values.append(values)
            offset += block.size
        return np.asarray(all_cols, dtype=np.intp), np.concatenate(all_values)

    @property
    def size(self) -> int:
        return sum(b.size for b in self.blocks)

    @classmethod
    def fit(cls, texts: Sequence[str], *, prepared: bool = False) -> Featurizer:
        docs = list(texts) if prepared else [features_text(t) for t in texts]
        min_df = 2 if len(docs) >= 2000 else 1
        return cls([
            Block.fit("word", (1, 2), docs, min_df=1),
            Block.fit("char", (2, 5), docs, min_df=min_df),
        ])
