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
from dataclasses import dataclass

from django.db import connection
from rapidfuzz.distance import DamerauLevenshtein

from storedesk.helpcenter.models import ArticleTranslation, HelpCenter, SearchDoc, SearchTerm
from storedesk.helpcenter.text import THAI, fold, query_terms, stem_prefix, terms

CANDIDATES = 60
MAX_BODY_TERMS = 2000


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
                  "title_terms": title, "tag_terms": tags, "body_terms": body},
    )
    scope = _scope(article.help_center_id, internal, translation.language)
    with connection.cursor() as cursor:
        if _is_pg():
            cursor.execute("UPDATE helpcenter_searchdoc SET vector = %s::tsvector WHERE id = %s",
                           [_tsvector(scope, title, tags, body), doc.pk])
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


# --- Querying -------------------------------------------------------------------------------


def _known_prefixes(help_center_id: int, language: str, prefixes: list[str]) -> set[str]:
    """Which stem prefixes some vocabulary term starts with."""
    known = set()
    base = SearchTerm.objects.filter(help_center_id=help_center_id, language=language)
    for prefix in prefixes:
        if base.filter(term__gte=prefix, term__lt=prefix + "\uffff").exists():
            known.add(prefix)
    return known


def _corrections(help_center_id: int, language: str, term: str) -> list[str]:
    """Known spellings close to an unknown term (at most 2 edits, 1 for short terms)."""
    if len(term) < 4 or term.isdigit():
        return []
    max_edits = 1 if len(term) < 8 else 2
    if _is_pg():
        with connection.cursor() as cursor:
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


def _candidates(help_center: HelpCenter, language: str, groups: list[list[str]],
                include_internal: bool) -> list[tuple[int, float]]:
    scopes = [_scope(help_center.pk, False, language)]
    if include_internal:
        scopes.append(_scope(help_center.pk, True, language))
    alts = [a for group in groups for a in group]
    if not alts:
        return []
    with connection.cursor() as cursor:
        if _is_pg():
            scope_q = " | ".join(_lexeme(s) for s in scopes)
            terms_q = " | ".join(_ts_lexeme(a) for a in alts)
            cursor.execute(
                "SELECT id, ts_rank(vector, q, 1) FROM helpcenter_searchdoc, "
                "CAST(%s AS tsquery) q WHERE vector @@ q ORDER BY 2 DESC, id LIMIT %s",
                [f"({scope_q}) & ({terms_q})", CANDIDATES])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]
        scope_q = " OR ".join(f'"{s}"' for s in scopes)
        terms_q = " OR ".join(_fts_phrase(a) for a in alts)
        cursor.execute(
            "SELECT rowid, -bm25(helpcenter_fts, 0.0, 8.0, 4.0, 1.0) FROM helpcenter_fts "
            "WHERE helpcenter_fts MATCH %s ORDER BY rank LIMIT %s",
            [f"scope:({scope_q}) AND {{title tags body}}:({terms_q})", CANDIDATES])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def search(help_center: HelpCenter, language: str, query: str, *, include_internal: bool = False,
           limit: int = 10) -> list[Hit]:
    """Published articles of this help center in this language, best first."""
    groups = _expand(help_center.pk, language, query)
    found = _candidates(help_center, language, groups, include_internal)
    if not found:
        return []
    docs = {
        d.pk: d for d in SearchDoc.objects.filter(pk__in=[i for i, _ in found],
                                                  help_center=help_center)
        .select_related("translation__article")
    }
    top = max(score for _, score in found) or 1.0
    hits = []
    flat = [a.rstrip("*") for g in groups for a in g]
    for doc_id, relevance in found:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        tr = doc.translation
        article = tr.article
        votes = article.helpful_yes + article.helpful_no
        score = (relevance / top) * (0.85 + 0.3 * article.helpfulness * min(1, votes / 5 + 0.5))
        score += 0.02 * math.log1p(article.view_count) / 10
        hits.append(Hit(tr.pk, article.pk, article.slug, tr.language, tr.published_title,
                        snippet(tr.published_summary or "", doc.body_terms, flat, tr),
                        doc.internal, round(score, 4)))
    hits.sort(key=lambda h: (-h.score, h.article_id))
    return hits[:limit]


SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")


def snippet(summary: str, _body_terms: str, words: list[str], tr: ArticleTranslation,
            length: int = 200) -> str:
    """The sentence of the published text that mentions most query terms (plain text)."""
    from storedesk.helpcenter.markdown import plain_text

    sentences = [s for s in SENTENCE.split(plain_text(tr.published_body)) if s.strip()]
    if summary:
        sentences.insert(0, summary)
    if not sentences:
        return ""
    best = max(sentences, key=lambda s: sum(1 for w in words if w and w in fold(s)))
    return best if len(best) <= length else best[: length - 1].rsplit(" ", 1)[0] + "…"
