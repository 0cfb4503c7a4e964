"""Help-center search: one relational index (search_index.py) and one code path on SQLite and
PostgreSQL.

A query word matches its stem as a prefix (inflections): the word itself when the vocabulary
has it, then the most frequent other terms the stem starts, EXPANSIONS at most, so a short
prefix with thousands of terms costs no more than one with twenty. A word unknown to the
vocabulary is replaced by its nearest known spellings (typo tolerance: rapidfuzz on SQLite,
pg_trgm similarity on PostgreSQL). One statement reads the vocabulary rows of every word and the
document count; one more does so for the corrections of misspelt words.

Candidates: the best 50 translations by BM25F, by the cheaper of two plans with the same answer,
chosen from the kept frequencies (how many postings the query's terms have):
- few matches: every match is scored in one statement that adds up the weights in the database
  and returns only the head of the ranking (`_exhaustive_candidates`);
- many matches: the head of each matching term's posting list is read (index order: weight
  descending) and widened until no unread translation can beat the 50th (the threshold
  algorithm, `_candidates`), so the work is bounded by the answer, not by how many translations
  contain a common term.
The tests compare both. The candidates are then nudged by helpfulness votes and views. Tenancy
and visibility: postings are reached only through the help center's own terms and the
visibilities the asker may see.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, TextField, Value, When
from rapidfuzz.distance import DamerauLevenshtein

from storedesk.helpcenter.models import HelpCenter, SearchDoc, helpfulness
from storedesk.helpcenter.text import THAI, fold, query_terms, stem_prefix

CANDIDATES = 50
K1 = 1.2
EXPANSIONS = 20  # vocabulary terms a word expands to at most: itself, then the most frequent
LISTS_PER_STATEMENT = 200
# Which plan is cheaper (bench/helpcenter_plans.py, see bench/README.md): up to this many
# matching postings of a one-word query, scoring them all (summed in the database) costs less
# than the bounded scan's widening reads; a query of several words converges slowly in the
# bounded scan (a document must surface in every word's lists), so it is scored in full up to
# far more.
EXHAUSTIVE_UP_TO = 5000
EXHAUSTIVE_MANY_WORDS_UP_TO = 60000
# The database sums scores in a different order than Python: a margin far above that rounding
# keeps every document that could tie the 50th (Python re-scores what comes back exactly).
SCORE_MARGIN = 1e-6


@dataclass
class Hit:
    translation_id: int
    article_id: int
    slug: str
    language: str
    title: str
    snippet: str
    internal: bool
    score: float


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class _Term:
    id: int
    term: str
    df_public: int
    df_internal: int


@dataclass
class _Query:
    internals: list[bool]
    total: int
    groups: list[list[_Term]] = field(default_factory=list)  # per query word: its terms
    alts: list[str] = field(default_factory=list)  # what the words matched (for snippets)
    idfs: list[float] = field(default_factory=list)


def _df_sql(include_internal: bool) -> str:
    return "(df_public + df_internal)" if include_internal else "df_public"


def _in(values: list[Any]) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def _vocabulary(help_center_id: int, language: str, alts: list[tuple[str, str]],
                internals: list[bool]) -> tuple[int, list[list[_Term]]]:
    """In one statement: the number of indexed translations the asker may see, and for each
    alternative (a prefix `stem*` or one exact Thai word, with the word typed) the vocabulary
    terms it matches that such a translation contains: the typed word first, then the most
    frequent, EXPANSIONS at most."""
    df = _df_sql(len(internals) > 1)
    parts = ["SELECT -1, COALESCE(SUM(docs), 0), NULL, NULL, NULL FROM helpcenter_searchscope "  # noqa: S608 - placeholders only
             "WHERE help_center_id = %s AND language = %s AND internal IN " + _in(internals)]
    params: list[Any] = [help_center_id, language, *internals]
    for n, (alt, word) in enumerate(alts):
        if alt.endswith("*"):
            prefix = alt[:-1]
            # the range uses the (help center, language, term) index; substr keeps it exact
            # under any collation
            where = "term >= %s AND term < %s AND substr(term, 1, %s) = %s"
            params += [help_center_id, language, prefix, prefix + "\uffff", len(prefix), prefix]
        else:
            where = "term = %s"
            params += [help_center_id, language, alt]
        parts.append(
            f"SELECT {n}, id, term, df_public, df_internal FROM (SELECT id, term, df_public, "  # noqa: S608 - placeholders only
            f"df_internal FROM helpcenter_searchterm WHERE help_center_id = %s "
            f"AND language = %s AND {where} AND {df} > 0 "
            f"ORDER BY CASE WHEN term = %s THEN 0 ELSE 1 END, {df} DESC, term "
            f"LIMIT %s) AS v{n}")
        params += [word, EXPANSIONS]
    found: list[list[_Term]] = [[] for _ in alts]
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for n, *row in cursor.fetchall():
            if n < 0:
                total = int(row[0])
            else:
                found[n].append(_Term(*row))
    return total, found


def _corrections(help_center_id: int, language: str, words: list[str],
                 include_internal: bool) -> dict[str, list[str]]:
    """Known spellings close to each unknown word (at most 2 edits, 1 for short words), in one
    statement."""
    words = [w for w in words if len(w) >= 4 and not w.isdigit()]
    if not words:
        return {}
    limits = {w: 1 if len(w) < 8 else 2 for w in words}
    df = _df_sql(include_internal)
    parts: list[str] = []
    params: list[Any] = []
    for n, word in enumerate(words):
        shape = "length(term) BETWEEN %s AND %s AND " + df + " > 0"
        lengths = [len(word) - limits[word], len(word) + limits[word]]
        if _is_pg():
            parts.append(
                f"SELECT {n}, term FROM (SELECT term FROM helpcenter_searchterm "  # noqa: S608 - placeholders only
                f"WHERE help_center_id = %s AND language = %s AND term %% %s AND {shape} "
                f"ORDER BY similarity(term, %s) DESC, term LIMIT 20) AS c{n}")
            params += [help_center_id, language, word, *lengths, word]
        else:
            parts.append(
                f"SELECT {n}, term FROM (SELECT term FROM helpcenter_searchterm "  # noqa: S608 - placeholders only
                f'WHERE help_center_id = %s AND language = %s AND "first" IN (%s, %s) '
                f"AND {shape} LIMIT 20000) AS c{n}")
            params += [help_center_id, language, word[0], word[1], *lengths]
    candidates: dict[str, list[str]] = {w: [] for w in words}
    # (no savepoint inside a caller's transaction: the setting then lasts until it ends)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if _is_pg():
            # pg_trgm's default threshold (0.3) misses a swapped pair in a short word; lower it
            # for this statement (SET LOCAL ends with the transaction).
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.2")
        cursor.execute(" UNION ALL ".join(parts), params)
        for n, term in cursor.fetchall():
            candidates[words[n]].append(term)
    fixes = {}
    for word, found in candidates.items():
        scored = sorted((DamerauLevenshtein.distance(word, c, score_cutoff=limits[word]), c)
                        for c in found)
        fixes[word] = [c for d, c in scored if d <= limits[word]][:3]
    return fixes


def _prepare(help_center_id: int, language: str, query: str, include_internal: bool) -> _Query:
    """Per query word, the vocabulary terms it matches: its stem as a prefix (the exact form
    and its inflections), or, for a word unknown to the vocabulary, corrected spellings; then
    each word's idf from the kept frequencies."""
    internals = [False, True] if include_internal else [False]
    words = query_terms(query, language)
    total, found = _vocabulary(help_center_id, language,
                               [(stem_prefix(w) + "*", w) for w in words], internals)
    prepared = _Query(internals=internals, total=total)
    alts: list[list[str]] = [[stem_prefix(w)] for w in words]
    unknown = [w for w, terms in zip(words, found, strict=True) if not terms]
    if unknown:
        fixes = _corrections(help_center_id, language, unknown, include_internal)
        asked = [(f if THAI.search(f) else f + "*", f) for w in unknown for f in fixes.get(w, [])]
        _, fixed = _vocabulary(help_center_id, language, asked, internals) if asked else (0, [])
        by_fix = dict(zip([f for _, f in asked], fixed, strict=True))
        for n, word in enumerate(words):
            if found[n]:
                continue
            alts[n] = fixes.get(word) or [word]
            matched: dict[int, _Term] = {}
            for fix in fixes.get(word, []):
                for term in by_fix[fix]:
                    matched.setdefault(term.id, term)
            found[n] = list(matched.values())
    for word_alts, terms in zip(alts, found, strict=True):
        prepared.alts += word_alts
        if not terms:
            continue
        # A prefix stands for several terms (inflections): its frequency is its most frequent
        # term's, and a document weighs for it what its best-matching term weighs (a maximum,
        # not a sum: what keeps the bound on unread documents tight, see _candidates).
        df = max(t.df_public + (t.df_internal if include_internal else 0) for t in terms)
        prepared.groups.append(terms)
        prepared.idfs.append(math.log(1 + (total - df + 0.5) / (df + 0.5)))
    return prepared


def _saturate(weight: int) -> float:
    tf = weight / 1000
    return tf * (K1 + 1) / (tf + K1)


def _relevance(q: _Query, weights: list[int]) -> float:
    return sum(idf * _saturate(w) for idf, w in zip(q.idfs, weights, strict=True) if w)


def _ranked(scores: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda dw: (-dw[1], dw[0]))


def _term_groups(q: _Query) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for g, found in enumerate(q.groups):
        for term in found:
            groups[term.id].append(g)
    return groups


def _score_docs(q: _Query, doc_ids: list[int]) -> dict[int, float]:
    """The exact relevance of these documents, from their postings of the query's terms."""
    by_term = _term_groups(q)
    weights: dict[int, list[int]] = {d: [0] * len(q.groups) for d in doc_ids}
    with connection.cursor() as cursor:
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start:start + 500]
            cursor.execute(
                "SELECT doc_id, term_id, weight FROM helpcenter_searchposting "  # noqa: S608 - placeholders only
                f"WHERE doc_id IN {_in(chunk)} AND term_id IN {_in(list(by_term))}",
                [*chunk, *by_term])
            for doc, term, weight in cursor.fetchall():
                for g in by_term[term]:
                    weights[doc][g] = max(weights[doc][g], weight)
    return {d: _relevance(q, w) for d, w in weights.items()}


def _exhaustive_candidates(q: _Query) -> list[tuple[int, float]]:
    """The best CANDIDATES documents by relevance (ties by id), scoring every match: the
    database takes each document's best weight per query word, sums the BM25F scores and
    returns the head of the ranking with the weights, which Python scores again exactly."""
    if not any(q.groups):
        return []
    groups = range(len(q.groups))
    term_ids = sorted({t.id for found in q.groups for t in found})
    best = ", ".join(f"MAX(CASE WHEN term_id IN {_in(found)} THEN weight ELSE 0 END) AS w{g}"
                     for g, found in enumerate(q.groups))
    tf = "CAST(w{g} AS DOUBLE PRECISION) / 1000"
    score = " + ".join(
        f"CASE WHEN w{g} > 0 THEN CAST(%s AS DOUBLE PRECISION) * {tf.format(g=g)} * {K1 + 1} "
        f"/ ({tf.format(g=g)} + {K1}) ELSE 0 END" for g in groups)
    weights = ", ".join(f"w{g}" for g in groups)
    sql = (
        f"WITH s AS (SELECT doc_id, {best} FROM helpcenter_searchposting "  # noqa: S608 - placeholders only
        f"WHERE term_id IN {_in(term_ids)} AND internal IN {_in(q.internals)} GROUP BY doc_id), "
        f"r AS (SELECT doc_id, {weights}, {score} AS score FROM s) "
        f"SELECT doc_id, {weights} FROM r WHERE score >= "
        "COALESCE((SELECT score FROM r ORDER BY score DESC LIMIT 1 OFFSET %s), 0) - %s")
    params = [t.id for found in q.groups for t in found] + term_ids + q.internals + q.idfs
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, CANDIDATES - 1, SCORE_MARGIN])
        rows = cursor.fetchall()
    return _ranked({doc: _relevance(q, list(weights)) for doc, *weights in rows})[:CANDIDATES]


def _candidates(q: _Query, stats: dict[str, int] | None = None) -> list[tuple[int, float]]:
    """The best CANDIDATES documents by relevance (ties by id), reading each matching term's
    posting list only as far as needed: the first k entries of every list, widened (x4) until
    the CANDIDATES-th best score beats what any unread document could still reach.

    A document read in some lists but not others is looked up for the rest only if it could
    still reach the top (its bound, with the last read weight of each list it is missing from,
    is not below the CANDIDATES-th best of what is known for sure)."""
    lists = [(g, t.id, internal) for g, found in enumerate(q.groups) for t in found
             for internal in q.internals
             if (t.df_internal if internal else t.df_public) > 0]
    if not lists:
        return []
    slots: dict[tuple[int, int], list[int]] = defaultdict(list)  # (group, term) -> its lists
    for n, (g, term, _) in enumerate(lists):
        slots[(g, term)].append(n)
    k = CANDIDATES + 1
    while True:
        heads = _heads(lists, k)
        exhausted = [len(h) < k for h in heads]
        if stats is not None:
            stats["read"] = sum(len(h) for h in heads)
            stats["rounds"] = stats.get("rounds", 0) + 1
        # What an unread document could weigh in each (group, term): the last weight read.
        reach = {slot: max((heads[n][-1][1] for n in members if not exhausted[n]), default=0)
                 for slot, members in slots.items()}
        known: dict[int, list[int]] = {}
        seen: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for (g, term, _), head in zip(lists, heads, strict=True):
            for doc, weight in head:
                weights = known.setdefault(doc, [0] * len(q.groups))
                weights[g] = max(weights[g], weight)
                seen[doc].add((g, term))
        open_slots = [(slot, w) for slot, w in reach.items() if w]
        lower, upper = {}, {}
        for doc, weights in known.items():
            lower[doc] = _relevance(q, weights)
            ceiling = None
            for (g, term), w in open_slots:
                if w > weights[g] and (g, term) not in seen[doc]:
                    ceiling = ceiling or list(weights)
                    ceiling[g] = max(ceiling[g], w)
            if ceiling is not None:
                upper[doc] = _relevance(q, ceiling)
        per_group = [0] * len(q.groups)
        for (g, _), weight in open_slots:
            per_group[g] = max(per_group[g], weight)
        bound = _relevance(q, per_group)  # an unread document's best possible score
        done = all(exhausted)
        if not done and len(known) >= CANDIDATES:
            best_upper = sorted((upper.get(d, s) for d, s in lower.items()), reverse=True)
            done = best_upper[CANDIDATES - 1] > bound or (
                len(lists) == 1 and best_upper[CANDIDATES - 1] >= bound)
        if not lower:
            return []
        if done:  # (else the 50th could not beat an unread document yet: widen first)
            floor = sorted(lower.values(), reverse=True)[min(CANDIDATES, len(lower)) - 1]
            unsure = [d for d, u in upper.items() if u >= floor]
            scores = {d: s for d, s in lower.items() if d not in upper}
            scores.update(_score_docs(q, sorted(unsure)) if unsure else {})
            ranked = _ranked(scores)
            if all(exhausted):
                return ranked[:CANDIDATES]
            score = ranked[CANDIDATES - 1][1]
            # One list: an unread document of equal weight comes later in id order too.
            if score > bound or (len(lists) == 1 and score >= bound):
                return ranked[:CANDIDATES]
        k *= 4


def _heads(lists: list[tuple[int, int, bool]], k: int) -> list[list[tuple[int, int]]]:
    """The first k (document, weight) entries of each posting list, best first."""
    heads: list[list[tuple[int, int]]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(lists), LISTS_PER_STATEMENT):
            chunk = lists[start:start + LISTS_PER_STATEMENT]
            cursor.execute(" UNION ALL ".join(
                f"SELECT {n}, doc_id, weight FROM (SELECT doc_id, weight "  # noqa: S608 - placeholders only
                f"FROM helpcenter_searchposting WHERE term_id = %s AND internal = %s "
                f"ORDER BY weight DESC, doc_id LIMIT %s) AS head{n}"
                for n in range(len(chunk))),
                [v for _, term, internal in chunk for v in (term, internal, k)])
            rows: list[list[tuple[int, int]]] = [[] for _ in chunk]
            for n, doc, weight in cursor.fetchall():
                rows[n].append((doc, weight))
            heads += [sorted(r, key=lambda dw: (-dw[1], dw[0])) for r in rows]
    return heads


def _best(q: _Query) -> list[tuple[int, float]]:
    """The candidates by the cheaper of the two plans, chosen from the kept frequencies."""
    matching = sum(t.df_public + (t.df_internal if len(q.internals) > 1 else 0)
                   for found in q.groups for t in found)
    limit = EXHAUSTIVE_UP_TO if len(q.groups) == 1 else EXHAUSTIVE_MANY_WORDS_UP_TO
    return _exhaustive_candidates(q) if matching <= limit else _candidates(q)


# How far votes and views move a candidate from its relevance share (see _final_score)
VOTES_LOW, VOTES_HIGH = 0.85, 1.15
VIEWS_MAX = 0.002 * math.log1p(2**31)  # view_count is a 32-bit counter


def _final_score(share: float, yes: int, no: int, views: int) -> float:
    """Relevance (as a share of the best candidate's) nudged by helpfulness and views."""
    score = share * (VOTES_LOW + 0.3 * helpfulness(yes, no) * min(1, (yes + no) / 5 + 0.5))
    return round(score + 0.002 * math.log1p(views), 4)


def _may_show(relevance: dict[int, float], limit: int) -> list[int]:
    """The candidates that could make the first `limit` whatever their votes and views: those
    whose best possible score reaches the `limit`-th best worst possible one."""
    top = max(relevance.values())
    lows = sorted((VOTES_LOW * r / top for r in relevance.values()), reverse=True)
    floor = lows[min(limit, len(lows)) - 1] - 0.001  # (and the rounding to 4 places)
    return [d for d, r in relevance.items() if VOTES_HIGH * r / top + VIEWS_MAX >= floor]


def search(help_center: HelpCenter, language: str, query: str, *, include_internal: bool = False,
           limit: int = 10) -> list[Hit]:
    """Published articles of this help center in this language, best first."""
    q = _prepare(help_center.pk, language, query, include_internal)
    relevance = dict(_best(q)) if q.groups else {}
    if not relevance:
        return []
    # One statement: the candidates' articles (votes, views), and the text (for the snippet)
    # of those that may be shown.
    shown = _may_show(relevance, limit)
    rows = (SearchDoc.objects.filter(pk__in=list(relevance), help_center=help_center)
            .annotate(text=Case(When(pk__in=shown, then=F("plain")), default=Value(""),
                                output_field=TextField()))
            .values_list("pk", "internal", "translation_id", "translation__language",
                         "translation__published_title", "translation__article_id",
                         "translation__article__slug", "translation__article__helpful_yes",
                         "translation__article__helpful_no",
                         "translation__article__view_count", "text"))
    top = max(relevance.values())
    ranked = sorted(((_final_score(relevance[row[0]] / top, *row[7:10]), row) for row in rows),
                    key=lambda pair: (-pair[0], pair[1][5]))[:limit]
    # (a shown hit's score is at least its worst case, so it is in `shown`; should rounding
    # ever say otherwise, its text is read on its own)
    missing = [row[0] for _, row in ranked if row[0] not in shown]
    texts: dict[int, str] = dict(
        SearchDoc.objects.filter(pk__in=missing).values_list("pk", "plain") if missing else [])
    return [Hit(translation_id, article_id, slug, lang, title,
                snippet(texts.get(doc) or text or "", q.alts), internal, score)
            for score, (doc, internal, translation_id, lang, title, article_id, slug, *_, text)
            in ranked]


SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")


def snippet(plain: str, words: list[str], length: int = 200) -> str:
    """The sentence of the published text that mentions most query terms (plain text)."""
    sentences = [s for s in SENTENCE.split(plain) if s.strip()]
    if not sentences:
        return ""
    folded = [fold(s) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: sum(1 for w in words if w and w in folded[i]))
    text = sentences[best]
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"
