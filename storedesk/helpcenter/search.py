"""Help-center search: one relational index and one code path on SQLite and PostgreSQL.

Text is normalised in Python (text.py: case and diacritics folded, Thai segmented). Each
published translation has one SearchDoc row and one SearchPosting per distinct term, carrying
the term's precomputed BM25F weight in that translation (8 x title tf + 4 x tags tf + body tf
normalised by the body's length against a fixed reference length). SearchTerm is the help
center's vocabulary per language with each term's document frequency per visibility, and
SearchScope counts the indexed translations per language and visibility; both are maintained by
`index_translation` / `unindex_translation` in the same transaction as the postings, so no
query ever counts matches.

A query term matches its stem as a prefix (inflections), a term unknown to the vocabulary is
replaced by its nearest known spellings (typo tolerance: rapidfuzz on SQLite, pg_trgm similarity
on PostgreSQL). Candidates: the best 50 translations by BM25F, found by reading only the head of
each matching term's posting list (index order: weight descending) and widening it until no
unread translation can beat the 50th (the threshold algorithm), so the work is bounded by the
answer, not by how many translations contain a common term. The result is the same as scoring
every match (`_exhaustive_candidates`, the tests compare both). The candidates are then nudged by
helpfulness votes and views. Tenancy and visibility: postings are reached only through the help
center's own terms and the visibilities the asker may see.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from rapidfuzz.distance import DamerauLevenshtein

from storedesk.helpcenter.models import ArticleTranslation, HelpCenter, SearchDoc
from storedesk.helpcenter.text import THAI, fold, query_terms, stem_prefix, terms

CANDIDATES = 50
MAX_BODY_TERMS = 2000
K1, B = 1.2, 0.75
# BM25's length normalisation uses a fixed reference body length (a typical help article has
# ~100-150 terms) instead of the running average, so a posting's weight never changes after it
# is written and the lists stay ordered by their true contribution.
REFERENCE_BODY_TERMS = 120
EXPANSIONS = 20  # vocabulary terms a prefix expands to at most (the most frequent ones)
LISTS_PER_STATEMENT = 200
# Up to this many matching postings, scoring them all costs less than the bounded scan's
# widening reads (bench/helpcenter_pg_cpu.py: 4 vs 10-14 ms of PostgreSQL CPU at ~1,700).
EXHAUSTIVE_UP_TO = 5000


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


# --- Indexing -------------------------------------------------------------------------------


def doc_weights(title: str, tags: str, body: str) -> dict[str, int]:
    """Each distinct term of a document with its BM25F term weight in thousandths."""
    title_tf, tags_tf, body_terms = Counter(title.split()), Counter(tags.split()), body.split()
    body_tf = Counter(body_terms)
    norm = 1 - B + B * len(body_terms) / REFERENCE_BODY_TERMS
    return {t: max(1, round((8 * title_tf[t] + 4 * tags_tf[t] + body_tf[t] / norm) * 1000))
            for t in title_tf.keys() | tags_tf.keys() | body_tf.keys()}


def _lock(translation_id: int) -> None:
    """Index writes of one translation run one at a time (the delta of its frequencies is read
    from its current postings)."""
    list(ArticleTranslation.objects.select_for_update().filter(pk=translation_id)
         .values_list("pk", flat=True))


@transaction.atomic
def index_translation(translation: ArticleTranslation, plain_body: str) -> None:
    """(Re)index the published copy of a translation; unpublished ones are removed."""
    if not translation.is_published:
        unindex_translation(translation.pk)
        return
    _lock(translation.pk)
    article = translation.article
    internal = article.visibility == "internal"
    title = " ".join(terms(translation.published_title))
    tags = " ".join(terms(" ".join(article.tags)))
    body = " ".join(terms(f"{translation.published_summary} {plain_body}")[:MAX_BODY_TERMS])
    doc = SearchDoc.objects.filter(translation=translation).first()
    before = None if doc is None else doc.internal
    values = {"account_id": translation.account_id, "help_center_id": article.help_center_id,
              "language": translation.language, "internal": internal, "title_terms": title,
              "tag_terms": tags, "body_terms": body,
              "plain": "\n".join(p for p in (translation.published_summary, plain_body) if p)}
    if doc is None:
        doc = SearchDoc.objects.create(translation=translation, **values)
    else:
        for name, value in values.items():
            setattr(doc, name, value)
        doc.save()
    _write_postings(doc.pk, article.help_center_id, translation.language, before, internal,
                    doc_weights(title, tags, body))


@transaction.atomic
def unindex_translation(translation_id: int) -> None:
    _lock(translation_id)
    doc = SearchDoc.objects.filter(translation_id=translation_id).first()
    if doc is None:
        return
    _write_postings(doc.pk, doc.help_center_id, doc.language, doc.internal, None, None)
    doc.delete()


def _write_postings(doc_id: int, help_center_id: int, language: str, before: bool | None,
                    after: bool | None, weights: dict[str, int] | None) -> None:
    """Replace a document's postings and apply the difference to the frequencies.

    Lock order, the same in every writer so concurrent publishes cannot deadlock: the
    translation (caller), the scope rows (public before internal), the term rows (by term)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT t.term, t.id FROM helpcenter_searchposting p "
                       "JOIN helpcenter_searchterm t ON t.id = p.term_id WHERE p.doc_id = %s",
                       [doc_id])
        ids = dict(cursor.fetchall())
        scopes: Counter[bool] = Counter()
        deltas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        if before is not None:
            scopes[before] -= 1
            for term in ids:
                deltas[term][before] -= 1
        if after is not None and weights is not None:
            scopes[after] += 1
            for term in weights:
                deltas[term][after] += 1
        for internal in sorted(i for i, n in scopes.items() if n):
            cursor.execute(
                "INSERT INTO helpcenter_searchscope (help_center_id, language, internal, docs) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (help_center_id, language, internal) "
                "DO UPDATE SET docs = helpcenter_searchscope.docs + excluded.docs",
                [help_center_id, language, internal, scopes[internal]])
        changed = sorted((t, d) for t, d in deltas.items() if d != [0, 0])
        for start in range(0, len(changed), 500):
            chunk = changed[start:start + 500]
            params: list[Any] = []
            for term, (public, internal_df) in chunk:
                params += [help_center_id, language, term, term[0], public, internal_df]
            cursor.execute(
                "INSERT INTO helpcenter_searchterm "  # noqa: S608 - placeholders only
                '(help_center_id, language, term, "first", df_public, df_internal) VALUES '
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (help_center_id, language, term) DO UPDATE SET "
                "df_public = helpcenter_searchterm.df_public + excluded.df_public, "
                "df_internal = helpcenter_searchterm.df_internal + excluded.df_internal "
                "RETURNING term, id", params)
            ids.update(dict(cursor.fetchall()))
        cursor.execute("DELETE FROM helpcenter_searchposting WHERE doc_id = %s", [doc_id])
        rows = [(doc_id, ids[t], after, w) for t, w in sorted((weights or {}).items())]
        for start in range(0, len(rows), 500):
            batch = rows[start:start + 500]
            cursor.execute(
                "INSERT INTO helpcenter_searchposting (doc_id, term_id, internal, weight) VALUES "  # noqa: S608 - placeholders only
                + ", ".join(["(%s, %s, %s, %s)"] * len(batch)),
                [v for row in batch for v in row])


def check_frequencies(help_center_id: int) -> list[str]:
    """Where the kept frequencies differ from the postings and documents (empty when right)."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.language, t.term, t.df_public, t.df_internal, "
            "(SELECT count(*) FROM helpcenter_searchposting p "
            " WHERE p.term_id = t.id AND p.internal = %s), "
            "(SELECT count(*) FROM helpcenter_searchposting p "
            " WHERE p.term_id = t.id AND p.internal = %s) "
            "FROM helpcenter_searchterm t WHERE t.help_center_id = %s",
            [False, True, help_center_id])
        for language, term, public, internal, n_public, n_internal in cursor.fetchall():
            if (public, internal) != (n_public, n_internal):
                problems.append(f"{language} {term}: kept {public}/{internal}, "
                                f"postings {n_public}/{n_internal}")
        cursor.execute(
            "SELECT s.language, s.internal, s.docs, (SELECT count(*) FROM helpcenter_searchdoc d "
            " WHERE d.help_center_id = s.help_center_id AND d.language = s.language "
            " AND d.internal = s.internal) FROM helpcenter_searchscope s "
            "WHERE s.help_center_id = %s", [help_center_id])
        for language, internal, docs, counted in cursor.fetchall():
            if docs != counted:
                problems.append(f"{language} internal={bool(internal)}: kept {docs} docs, "
                                f"indexed {counted}")
        cursor.execute(
            "SELECT d.language, d.internal, count(*) FROM helpcenter_searchdoc d "
            "WHERE d.help_center_id = %s AND NOT EXISTS (SELECT 1 FROM helpcenter_searchscope s "
            " WHERE s.help_center_id = d.help_center_id AND s.language = d.language "
            " AND s.internal = d.internal) GROUP BY d.language, d.internal", [help_center_id])
        problems += [f"{lang} internal={bool(i)}: {n} docs without a scope row"
                     for lang, i, n in cursor.fetchall()]
    return problems


# --- Querying -------------------------------------------------------------------------------


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


def _lookup(help_center_id: int, language: str, alt: str, include_internal: bool) -> list[_Term]:
    """The vocabulary terms an alternative matches (a prefix, or one exact Thai word) that some
    translation the asker may see contains; the most frequent first."""
    df = _df_sql(include_internal)
    if alt.endswith("*"):
        prefix = alt[:-1]
        where, params = "term >= %s AND term < %s", [prefix, prefix + "\uffff"]
    else:
        prefix, where, params = alt, "term = %s", [alt]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, term, df_public, df_internal FROM helpcenter_searchterm "  # noqa: S608 - placeholders only
            f"WHERE help_center_id = %s AND language = %s AND {where} AND {df} > 0 "
            f"ORDER BY {df} DESC, term LIMIT %s",
            [help_center_id, language, *params, EXPANSIONS])
        return [_Term(*row) for row in cursor.fetchall() if row[1].startswith(prefix)]


def _corrections(help_center_id: int, language: str, term: str,
                 include_internal: bool) -> list[str]:
    """Known spellings close to an unknown term (at most 2 edits, 1 for short terms)."""
    if len(term) < 4 or term.isdigit():
        return []
    max_edits = 1 if len(term) < 8 else 2
    df = _df_sql(include_internal)
    if _is_pg():
        # pg_trgm's default threshold (0.3) misses a swapped pair in a short word; lower it
        # for this one statement (SET LOCAL ends with the transaction).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.2")
            cursor.execute(
                f"SELECT term FROM helpcenter_searchterm WHERE help_center_id = %s "  # noqa: S608 - placeholders only
                f"AND language = %s AND term %% %s AND {df} > 0 "
                f"ORDER BY similarity(term, %s) DESC LIMIT 20",
                [help_center_id, language, term, term])
            candidates = [row[0] for row in cursor.fetchall()]
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term FROM helpcenter_searchterm WHERE help_center_id = %s "  # noqa: S608 - placeholders only
                f'AND language = %s AND "first" IN (%s, %s) AND {df} > 0 LIMIT 20000',
                [help_center_id, language, term[0], term[1]])
            candidates = [row[0] for row in cursor.fetchall()]
    scored = sorted(
        (DamerauLevenshtein.distance(term, c, score_cutoff=max_edits), c) for c in candidates
        if abs(len(c) - len(term)) <= max_edits)
    return [c for d, c in scored if d <= max_edits][:3]


def _prepare(help_center_id: int, language: str, query: str, include_internal: bool) -> _Query:
    """Per query word, the vocabulary terms it matches: its stem as a prefix (the exact form
    and its inflections), or, for a word unknown to the vocabulary, corrected spellings; then
    each word's idf from the kept frequencies."""
    internals = [False, True] if include_internal else [False]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(docs), 0) FROM helpcenter_searchscope "  # noqa: S608 - placeholders only
            "WHERE help_center_id = %s AND language = %s AND internal IN ("
            + ", ".join(["%s"] * len(internals)) + ")",
            [help_center_id, language, *internals])
        total = int(cursor.fetchone()[0])
    prepared = _Query(internals=internals, total=total)
    for word in query_terms(query, language):
        stem = stem_prefix(word)
        alts = [stem + "*"]
        found = _lookup(help_center_id, language, alts[0], include_internal)
        if not found:
            fixes = _corrections(help_center_id, language, word, include_internal)
            alts = [f + "*" if not THAI.search(f) else f for f in fixes] or [word]
            matched: dict[int, _Term] = {}
            for alt in alts:
                for term in _lookup(help_center_id, language, alt, include_internal):
                    matched.setdefault(term.id, term)
            found = list(matched.values())
        prepared.alts += [a.rstrip("*") for a in alts]
        if not found:
            continue
        # A prefix stands for several terms (inflections): its frequency is its most frequent
        # term's, and a document weighs for it what its best-matching term weighs (a maximum,
        # not a sum: what keeps the bound on unread documents tight, see _candidates).
        df = max(t.df_public + (t.df_internal if include_internal else 0) for t in found)
        prepared.groups.append(found)
        prepared.idfs.append(math.log(1 + (total - df + 0.5) / (df + 0.5)))
    return prepared


def _saturate(weight: int) -> float:
    tf = weight / 1000
    return tf * (K1 + 1) / (tf + K1)


def _relevance(q: _Query, weights: list[int]) -> float:
    return sum(idf * _saturate(w) for idf, w in zip(q.idfs, weights, strict=True) if w)


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
                "SELECT doc_id, term_id, weight FROM helpcenter_searchposting WHERE doc_id IN ("  # noqa: S608 - placeholders only
                + ", ".join(["%s"] * len(chunk)) + ") AND term_id IN ("
                + ", ".join(["%s"] * len(by_term)) + ")", [*chunk, *by_term])
            for doc, term, weight in cursor.fetchall():
                for g in by_term[term]:
                    weights[doc][g] = max(weights[doc][g], weight)
    return {d: _relevance(q, w) for d, w in weights.items()}


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
            ranked = sorted(scores.items(), key=lambda dw: (-dw[1], dw[0]))
            if all(exhausted):
                return ranked[:CANDIDATES]
            score = ranked[CANDIDATES - 1][1]
            # One list: an unread document of equal weight comes later in id order too.
            if score > bound or (len(lists) == 1 and score >= bound):
                return ranked[:CANDIDATES]
        k *= 4


def _best(q: _Query) -> list[tuple[int, float]]:
    """The candidates by the cheaper of two plans with the same answer, chosen from the kept
    frequencies: scoring every match in one index range read while the matches are few (it
    costs less than several widening reads), the bounded scan beyond."""
    matching = sum(t.df_public + (t.df_internal if len(q.internals) > 1 else 0)
                   for found in q.groups for t in found)
    return _exhaustive_candidates(q) if matching <= EXHAUSTIVE_UP_TO else _candidates(q)


def _exhaustive_candidates(q: _Query) -> list[tuple[int, float]]:
    """The same as _candidates by scoring every matching document."""
    by_term = _term_groups(q)
    if not by_term:
        return []
    weights: dict[int, list[int]] = defaultdict(lambda: [0] * len(q.groups))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT doc_id, term_id, weight FROM helpcenter_searchposting WHERE term_id IN ("  # noqa: S608 - placeholders only
            + ", ".join(["%s"] * len(by_term)) + ") AND internal IN ("
            + ", ".join(["%s"] * len(q.internals)) + ")", [*by_term, *q.internals])
        for doc, term, weight in cursor.fetchall():
            for g in by_term[term]:
                weights[doc][g] = max(weights[doc][g], weight)
    ranked = sorted(((d, _relevance(q, w)) for d, w in weights.items()),
                    key=lambda dw: (-dw[1], dw[0]))
    return ranked[:CANDIDATES]


def search(help_center: HelpCenter, language: str, query: str, *, include_internal: bool = False,
           limit: int = 10) -> list[Hit]:
    """Published articles of this help center in this language, best first."""
    q = _prepare(help_center.pk, language, query, include_internal)
    relevance = dict(_best(q)) if q.groups else {}
    if not relevance:
        return []
    docs = list(SearchDoc.objects.filter(pk__in=list(relevance), help_center=help_center)
                .select_related("translation__article")
                .only("internal", "translation__language", "translation__published_title",
                      "translation__article__slug", "translation__article__helpful_yes",
                      "translation__article__helpful_no", "translation__article__view_count"))
    top = max(relevance.values(), default=0.0) or 1.0
    ranked = []
    for doc in docs:
        article = doc.translation.article
        votes = article.helpful_yes + article.helpful_no
        score = (relevance[doc.pk] / top) * (
            0.85 + 0.3 * article.helpfulness * min(1, votes / 5 + 0.5))
        score += 0.002 * math.log1p(article.view_count)
        ranked.append((round(score, 4), doc))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].translation.article_id))
    ranked = ranked[:limit]
    plain = dict(SearchDoc.objects.filter(pk__in=[d.pk for _, d in ranked])
                 .values_list("pk", "plain"))
    hits = []
    for score, doc in ranked:
        tr = doc.translation
        hits.append(Hit(tr.pk, tr.article_id, tr.article.slug, tr.language, tr.published_title,
                        snippet(plain[doc.pk], q.alts), doc.internal, score))
    return hits


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
