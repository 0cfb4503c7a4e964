"""One search interface over two backends: SQLite FTS5 (embedded) and PostgreSQL full text with
pg_trgm (scale).

Text is normalised in Python before it reaches either backend (text.py: case and diacritics
folded, Thai segmented), so both index the same terms and behave alike. Each published
translation has one SearchDoc row; the backend index beside it (the FTS5 table
`helpcenter_fts` on SQLite, the tsvector column `helpcenter_searchdoc.vector` on PostgreSQL)
carries a scope term (help center + visibility + language), so one index lookup both matches and
filters. Queries: each term matches exactly or by its stem prefix (inflections), a term unknown
to the help center's vocabulary is replaced by its nearest known spellings (typo tolerance:
rapidfuzz on SQLite, pg_trgm similarity on PostgreSQL), terms are OR-ed and ranked by BM25 /
ts_rank with title > tags > body, then nudged by helpfulness votes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from rapidfuzz.distance import DamerauLevenshtein

from storedesk.helpcenter.models import ArticleTranslation, HelpCenter, SearchDoc, SearchTerm
from storedesk.helpcenter.text import THAI, fold, query_terms, stem_prefix, terms

CANDIDATES = 50
MAX_BODY_TERMS = 2000
# PostgreSQL ranks candidates by a small `head` vector (title, tags, the first body terms), kept
# inline in the row; ts_rank over the full `vector` detoasted every match's whole body.
HEAD_BODY_TERMS = 40


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


def _scope(help_center_id: int, internal: bool, language: str) -> str:
    return f"scope{help_center_id}{'i' if internal else 'p'}{language}"


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


# --- Indexing -------------------------------------------------------------------------------


def index_translation(translation: ArticleTranslation, plain_body: str) -> None:
    """(Re)index the published copy of a translation; unpublished ones are removed."""
    if not translation.is_published:
        unindex_translation(translation.pk)
        return
    article = translation.article
    internal = article.visibility == "internal"
    title = " ".join(terms(translation.published_title))
    tags = " ".join(terms(" ".join(article.tags)))
    body = " ".join(terms(f"{translation.published_summary} {plain_body}")[:MAX_BODY_TERMS])
    doc, _ = SearchDoc.objects.update_or_create(
        translation=translation,
        defaults={"account_id": translation.account_id, "help_center_id": article.help_center_id,
                  "language": translation.language, "internal": internal,
                  "title_terms": title, "tag_terms": tags, "body_terms": body,
                  "plain": "\n".join(p for p in (translation.published_summary, plain_body) if p)},
    )
    scope = _scope(article.help_center_id, internal, translation.language)
    with connection.cursor() as cursor:
        if _is_pg():
            cursor.execute("UPDATE helpcenter_searchdoc SET vector = %s::tsvector, "
                           "head = %s::tsvector WHERE id = %s",
                           [_tsvector(scope, title, tags, body), _head(scope, title, tags, body),
                            doc.pk])
        else:
            cursor.execute("DELETE FROM helpcenter_fts WHERE rowid = %s", [doc.pk])
            cursor.execute("INSERT INTO helpcenter_fts(rowid, scope, title, tags, body) "
                           "VALUES (%s, %s, %s, %s, %s)", [doc.pk, scope, title, tags, body])
    _add_vocabulary(article.help_center_id, translation.language, f"{title} {tags} {body}")


def unindex_translation(translation_id: int) -> None:
    doc = SearchDoc.objects.filter(translation_id=translation_id).first()
    if doc is None:
        return
    if not _is_pg():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM helpcenter_fts WHERE rowid = %s", [doc.pk])
    doc.delete()


def _add_vocabulary(help_center_id: int, language: str, text: str) -> None:
    words = {w for w in text.split() if len(w) >= 3 and not w.isdigit()}
    SearchTerm.objects.bulk_create(
        [SearchTerm(help_center_id=help_center_id, language=language, term=w, first=w[0])
         for w in words],
        ignore_conflicts=True, batch_size=500,
    )


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(scope: str, title: str, tags: str, body: str) -> str:
    """A tsvector literal with positions and weights, built without PostgreSQL's parser (it
    splits unspaced scripts by locale; our terms are already segmented)."""
    positions: dict[str, list[str]] = {scope: ["1A"]}
    pos = 2
    for weight, text in (("A", title), ("B", tags), ("C", body)):
        for term in text.split():
            if pos > 16383:
                break
            positions.setdefault(term, []).append(f"{pos}{weight}")
            pos += 1
    return " ".join(f"{_lexeme(t)}:{','.join(p[:256])}" for t, p in positions.items())


def _head(scope: str, title: str, tags: str, body: str) -> str:
    return _tsvector(scope, title, tags, " ".join(body.split()[:HEAD_BODY_TERMS]))


# --- Querying -------------------------------------------------------------------------------


def _known_prefixes(help_center_id: int, language: str, prefixes: list[str]) -> set[str]:
    """Which stem prefixes some vocabulary term starts with."""
    if not prefixes:
        return set()
    exists = ("EXISTS(SELECT 1 FROM helpcenter_searchterm WHERE help_center_id = %s "
              "AND language = %s AND term >= %s AND term < %s)")
    params: list[int | str] = []
    for prefix in prefixes:
        params += [help_center_id, language, prefix, prefix + "\uffff"]
    with connection.cursor() as cursor:  # one round trip, one index range seek per prefix
        cursor.execute("SELECT " + ", ".join([exists] * len(prefixes)), params)
        row = cursor.fetchone()
    return {p for p, known in zip(prefixes, row, strict=True) if known}


def _corrections(help_center_id: int, language: str, term: str) -> list[str]:
    """Known spellings close to an unknown term (at most 2 edits, 1 for short terms)."""
    if len(term) < 4 or term.isdigit():
        return []
    max_edits = 1 if len(term) < 8 else 2
    if _is_pg():
        # pg_trgm's default threshold (0.3) misses a swapped pair in a short word; lower it
        # for this one statement (SET LOCAL ends with the transaction).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.2")
            cursor.execute(
                "SELECT term FROM helpcenter_searchterm WHERE help_center_id = %s "
                "AND language = %s AND term %% %s ORDER BY similarity(term, %s) DESC LIMIT 20",
                [help_center_id, language, term, term])
            candidates = [row[0] for row in cursor.fetchall()]
    else:
        firsts = {term[0], term[1]}
        candidates = list(
            SearchTerm.objects.filter(help_center_id=help_center_id, language=language,
                                      first__in=firsts)
            .values_list("term", flat=True)[:20000])
    scored = sorted(
        (DamerauLevenshtein.distance(term, c, score_cutoff=max_edits), c) for c in candidates
        if abs(len(c) - len(term)) <= max_edits)
    return [c for d, c in scored if d <= max_edits][:3]


def _expand(help_center_id: int, language: str, query: str) -> list[list[str]]:
    """Per query term, the alternatives to match: its stem as a prefix (which covers the exact
    form and its inflections), or, for a term unknown to the vocabulary, corrected spellings."""
    words = query_terms(query, language)
    stems = {w: stem_prefix(w) for w in words}
    known = _known_prefixes(help_center_id, language, list(set(stems.values())))
    groups = []
    for word in words:
        if stems[word] in known:
            groups.append([stems[word] + "*"])
        else:
            fixes = _corrections(help_center_id, language, word)
            groups.append([f + "*" if not THAI.search(f) else f for f in fixes] or [word])
    return groups


def _fts_phrase(alt: str) -> str:
    prefix = alt.endswith("*")
    body = alt.rstrip("*").replace('"', '""')
    return f'"{body}"' + ("*" if prefix else "")


def _ts_lexeme(alt: str) -> str:
    return _lexeme(alt.rstrip("*")) + (":*" if alt.endswith("*") else "")


def _match_query(scopes: list[str], alts: list[str]) -> str:
    if _is_pg():
        scope_q = " | ".join(_lexeme(s) for s in scopes)
        return f"({scope_q}) & ({' | '.join(_ts_lexeme(a) for a in alts)})"
    scope_q = " OR ".join(f'"{s}"' for s in scopes)
    terms_q = " OR ".join(_fts_phrase(a) for a in alts)
    return f"scope:({scope_q}) AND {{title tags body}}:({terms_q})"


def _count(cursor: Any, match: str) -> int:
    if _is_pg():
        cursor.execute("SELECT count(*) FROM helpcenter_searchdoc WHERE vector @@ %s::tsquery",
                       [match])
    else:
        cursor.execute("SELECT count(*) FROM helpcenter_fts WHERE helpcenter_fts MATCH %s",
                       [match])
    return int(cursor.fetchone()[0])


def _candidates(scopes: list[str], groups: list[list[str]]) -> list[int]:
    """Ids of the best-matching docs by the backend's own rank (BM25 / ts_rank)."""
    alts = [a for group in groups for a in group]
    with connection.cursor() as cursor:
        if _is_pg():
            cursor.execute(
                "SELECT id FROM helpcenter_searchdoc WHERE vector @@ %s::tsquery "
                "ORDER BY ts_rank(head, %s::tsquery, 1) DESC, id LIMIT %s",
                [_match_query(scopes, alts)] * 2 + [CANDIDATES])
        else:
            cursor.execute(
                "SELECT rowid FROM helpcenter_fts WHERE helpcenter_fts MATCH %s "
                "ORDER BY bm25(helpcenter_fts, 0.0, 8.0, 4.0, 1.0) LIMIT %s",
                [_match_query(scopes, alts), CANDIDATES])
        return [row[0] for row in cursor.fetchall()]


def _document_frequencies(help_center_id: int, language: str, include_internal: bool,
                          scopes: list[str], groups: list[list[str]]) -> tuple[int, list[int]]:
    """The number of indexed docs in scope and, per query term, how many of them it matches.

    One term: its idf is a common factor of every score, which the normalisation in `search`
    divides out, so the counts (a full scan of the matches each) are skipped."""
    if len(groups) == 1:
        return 1, [1]
    total = SearchDoc.objects.filter(
        help_center_id=help_center_id, language=language,
        internal__in=[False, True] if include_internal else [False]).count()
    with connection.cursor() as cursor:
        return total, [_count(cursor, _match_query(scopes, group)) for group in groups]


def _bm25f(docs: list[SearchDoc], groups: list[list[str]], total: int,
           frequencies: list[int]) -> dict[int, float]:
    """BM25F over title (x8), tags (x4) and body, the same on both backends, so a query ranks
    alike on SQLite and PostgreSQL."""
    k1, b = 1.2, 0.75
    fields = {d.pk: (Counter(d.title_terms.split()), Counter(d.tag_terms.split()),
                     Counter(d.body_terms.split())) for d in docs}
    lengths = {pk: sum(f[2].values()) for pk, f in fields.items()}
    average = (sum(lengths.values()) / len(lengths)) if lengths else 1.0
    vocabulary = set().union(*(c.keys() for f in fields.values() for c in f))
    matched = []
    for group in groups:  # which candidate tokens each query term matches, computed once
        exact = {a for a in group if not a.endswith("*")}
        prefixes = tuple(a[:-1] for a in group if a.endswith("*"))
        matched.append({t for t in vocabulary
                        if t in exact or (prefixes and t.startswith(prefixes))})
    idfs = [math.log(1 + (total - df + 0.5) / (df + 0.5)) for df in frequencies]
    scores: dict[int, float] = {}
    for pk, (title, tags, body) in fields.items():
        norm = 1 - b + b * lengths[pk] / (average or 1.0)
        score = 0.0
        for terms_of_group, idf in zip(matched, idfs, strict=True):
            tf = (8.0 * sum(title[t] for t in terms_of_group & title.keys())
                  + 4.0 * sum(tags[t] for t in terms_of_group & tags.keys())
                  + sum(body[t] for t in terms_of_group & body.keys()) / norm)
            if tf:
                score += idf * tf * (k1 + 1) / (tf + k1)
        scores[pk] = score
    return scores


def search(help_center: HelpCenter, language: str, query: str, *, include_internal: bool = False,
           limit: int = 10) -> list[Hit]:
    """Published articles of this help center in this language, best first."""
    groups = _expand(help_center.pk, language, query)
    if not groups:
        return []
    scopes = [_scope(help_center.pk, False, language)]
    if include_internal:
        scopes.append(_scope(help_center.pk, True, language))
    ids = _candidates(scopes, groups)
    if not ids:
        return []
    docs = list(SearchDoc.objects.filter(pk__in=ids, help_center=help_center)
                .select_related("translation__article")
                .only("internal", "title_terms", "tag_terms", "body_terms", "plain",
                      "translation__language", "translation__published_title",
                      "translation__article__slug", "translation__article__helpful_yes",
                      "translation__article__helpful_no", "translation__article__view_count"))
    total, frequencies = _document_frequencies(help_center.pk, language, include_internal,
                                               scopes, groups)
    relevance = _bm25f(docs, groups, total, frequencies)
    top = max(relevance.values(), default=0.0) or 1.0
    flat = [a.rstrip("*") for g in groups for a in g]
    ranked = []
    for doc in docs:
        article = doc.translation.article
        votes = article.helpful_yes + article.helpful_no
        score = (relevance[doc.pk] / top) * (
            0.85 + 0.3 * article.helpfulness * min(1, votes / 5 + 0.5))
        score += 0.002 * math.log1p(article.view_count)
        ranked.append((round(score, 4), doc))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].translation.article_id))
    hits = []
    for score, doc in ranked[:limit]:
        tr = doc.translation
        hits.append(Hit(tr.pk, tr.article_id, tr.article.slug, tr.language, tr.published_title,
                        snippet(doc.plain, flat),
                        doc.internal, score))
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
