"""The help-center search index, written in the caller's transaction (read by search.py).

Each published translation has one SearchDoc row and one SearchPosting per distinct term,
carrying the term's precomputed BM25F weight in that translation (8 x title tf + 4 x tags tf +
body tf normalised by the body's length against a fixed reference length). SearchTerm is the
help center's vocabulary per language with each term's document frequency per visibility, and
SearchScope counts the indexed translations per language and visibility; both are maintained by
`index_translation` / `unindex_translation` in the same transaction as the postings, so no
query ever counts matches (`check_frequencies` verifies them).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db import connection, transaction

from storedesk.helpcenter.models import ArticleTranslation, SearchDoc
from storedesk.helpcenter.text import terms

MAX_BODY_TERMS = 2000
B = 0.75  # BM25's length normalisation (K1, the saturation, is applied at query time)
# BM25's length normalisation uses a fixed reference body length (a typical help article has
# ~100-150 terms) instead of the running average, so a posting's weight never changes after it
# is written and the lists stay ordered by their true contribution.
REFERENCE_BODY_TERMS = 120


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
