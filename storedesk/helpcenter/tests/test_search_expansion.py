"""Bounded prefix expansion: a query word stands for itself and at most EXPANSIONS other terms
its stem starts, however many the vocabulary has, and still finds the best matches; a search
costs the same few statements whatever the query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storedesk.helpcenter import search, search_index
from storedesk.helpcenter.models import Article, ArticleTranslation, SearchTerm


def _index(help_center, slug: str, title: str, body: str) -> None:
    """A published public translation through the real index writer (no Markdown, no audit:
    fast enough for a few hundred documents)."""
    article = Article.objects.create(account_id=help_center.account_id,
                                     help_center=help_center, slug=slug)
    tr = ArticleTranslation.objects.create(
        account_id=help_center.account_id, article=article, language="en", title=title,
        body=body, published_title=title, published_body=body, published_at=timezone.now(),
        is_published=True)
    search_index.index_translation(tr, body)


def _letters(n: int) -> str:
    out = ""
    for _ in range(3):
        n, r = divmod(n, 26)
        out += chr(ord("a") + r)
    return out


@pytest.fixture
def crowded(harbor_help):
    """3,000 vocabulary terms starting with "ship" (each in two filler articles, so every one
    is more frequent than the plain word "ship"), one article about "ship" itself, and
    "shipment" in 40 articles (the most frequent expansion)."""
    fillers = [f"ship{_letters(n)}" for n in range(3000)]
    for n in range(60):
        words = fillers[(n % 30) * 100:(n % 30) * 100 + 100]
        extra = " shipment" if n < 40 else ""
        _index(harbor_help, f"filler-{n}", f"Filler {n}", " ".join(words) + extra)
    _index(harbor_help, "ship", "Ship to a locker", "We ship to parcel lockers and ship abroad.")
    _index(harbor_help, "tracking", "Shipment tracking",
           "Every shipment has a tracking link.")
    return harbor_help


def test_a_prefix_with_thousands_of_terms_still_finds_the_word_itself(crowded) -> None:
    # given the vocabulary holds 3,000+ terms starting with "ship"
    assert SearchTerm.objects.filter(help_center=crowded, language="en",
                                     term__startswith="ship").count() > 3000
    # when a shopper searches for the plain word, rarer than each of them
    q = search._prepare(crowded.pk, "en", "ship", False)
    hits = search.search(crowded, "en", "ship")
    # then it expands to at most EXPANSIONS terms, the word itself first, then the most
    # frequent ("shipment")
    assert len(q.groups[0]) == search.EXPANSIONS
    assert [t.term for t in q.groups[0][:2]] == ["ship", "shipment"]
    # and the article with the word in its title ranks first, the shipment one next
    assert [h.slug for h in hits[:2]] == ["ship", "tracking"]


def test_an_inflection_finds_the_frequent_form_among_thousands(crowded) -> None:
    # "shipments" is not in the vocabulary; its stem "shipmen" is a prefix of "shipment"
    hits = search.search(crowded, "en", "shipments tracking")
    assert hits[0].slug == "tracking"
    # and a typo of a rare word is still corrected among thousands of neighbours
    assert search.search(crowded, "en", "lockres")[0].slug == "ship"


def test_bounded_and_exhaustive_plans_agree_on_a_crowded_prefix(crowded, monkeypatch) -> None:
    for text in ("ship", "shipment", "ship tracking", "shipa shipb filler"):
        q = search._prepare(crowded.pk, "en", text, False)
        assert search._candidates(q) == search._exhaustive_candidates(q), text


def _statements(queries: list[dict[str, str]]) -> list[str]:
    """What the search ran, without the transaction plumbing of the typo correction."""
    return [q["sql"] for q in queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET LOCAL", "BEGIN", "COMMIT"))]


def test_a_search_runs_a_fixed_number_of_statements(crowded) -> None:
    # a query of three words that all match: the vocabulary with the document count, the
    # candidates, the candidates' articles with the text of those that may be shown
    with CaptureQueriesContext(connection) as ctx:
        assert search.search(crowded, "en", "ship locker tracking")
    assert len(_statements(ctx.captured_queries)) == 3
    # two misspelt words: one statement for their corrections, one for the corrections'
    # vocabulary
    with CaptureQueriesContext(connection) as ctx:
        assert search.search(crowded, "en", "lockres trakcing")
    assert len(_statements(ctx.captured_queries)) == 5
