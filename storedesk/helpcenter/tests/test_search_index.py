"""The relational search index: document frequencies kept at index time (also under concurrent
publishes, unpublishes and deletes), and the bounded candidate scan returning exactly what
scoring every match returns."""

from __future__ import annotations

import contextlib
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from storedesk.helpcenter import actions, search, search_index
from storedesk.helpcenter.models import (
    Article,
    ArticleTranslation,
    SearchPosting,
    SearchScope,
    SearchTerm,
)
from storedesk.helpcenter.tests.conftest import write


def _df(help_center, language: str, term: str) -> tuple[int, int]:
    row = SearchTerm.objects.filter(help_center=help_center, language=language,
                                    term=term).values_list("df_public", "df_internal").first()
    return row or (0, 0)


def _docs(help_center, language: str, internal: bool) -> int:
    row = SearchScope.objects.filter(help_center=help_center, language=language,
                                     internal=internal).values_list("docs", flat=True).first()
    return row or 0


def test_frequencies_follow_publish_edit_visibility_unpublish_and_delete(personas,
                                                                          harbor_help) -> None:
    a = write(harbor_help, "gift", "en", "Gift cards", "Gift cards never expire.")
    write(harbor_help, "vouchers", "en", "Vouchers", "A voucher is a gift card too.")
    write(harbor_help, "prezent", "pl", "Karty podarunkowe", "gift")
    assert _df(harbor_help, "en", "gift") == (2, 0)
    assert _df(harbor_help, "en", "cards") == (1, 0)
    assert _docs(harbor_help, "en", False) == 2
    assert _df(harbor_help, "pl", "gift") == (1, 0)  # per language

    # an edit reaches the frequencies when published, not before
    actions.save_article(personas.olivia, harbor_help, actions.ArticleInput(
        slug="gift", language="en", title="Store credit", body="Credit never expires."))
    assert _df(harbor_help, "en", "cards") == (1, 0)
    actions.publish_translation(personas.olivia, a)
    assert _df(harbor_help, "en", "cards") == (0, 0)
    assert _df(harbor_help, "en", "credit") == (1, 0)
    assert _df(harbor_help, "en", "gift") == (1, 0)
    assert _docs(harbor_help, "en", False) == 2

    # agents-only: the counts move to the internal scope
    actions.save_article(personas.olivia, harbor_help, actions.ArticleInput(
        slug="gift", language="en", title="Store credit", body="Credit never expires.",
        visibility="internal"))
    assert _df(harbor_help, "en", "credit") == (0, 1)
    assert (_docs(harbor_help, "en", False), _docs(harbor_help, "en", True)) == (1, 1)
    assert search.search(harbor_help, "en", "credit") == []
    assert [h.slug for h in search.search(harbor_help, "en", "credit",
                                          include_internal=True)] == ["gift"]

    actions.unpublish_translation(personas.olivia, a)
    assert _df(harbor_help, "en", "credit") == (0, 0)
    assert _docs(harbor_help, "en", True) == 0
    actions.delete_article(personas.olivia, ArticleTranslation.objects.get(
        article__slug="vouchers", article__help_center=harbor_help).article)
    assert _df(harbor_help, "en", "gift") == (0, 0)
    assert _docs(harbor_help, "en", False) == 0
    assert not SearchPosting.objects.filter(term__help_center=harbor_help,
                                            term__language="en").exists()
    assert search_index.check_frequencies(harbor_help.pk) == []
    # a term no translation contains any more is not offered as a correction
    assert search.search(harbor_help, "en", "vouchres") == []


def test_a_public_search_is_not_corrected_towards_internal_words(harbor_help) -> None:
    write(harbor_help, "lost", "en", "Lost parcel procedure", "Escalate to the carrier.",
          visibility="internal")
    write(harbor_help, "delivery", "en", "Delivery", "Parcels arrive in 3 to 5 days.")
    assert search.search(harbor_help, "en", "escalte") == []
    assert [h.slug for h in search.search(harbor_help, "en", "escalte",
                                          include_internal=True)] == ["lost"]


@pytest.mark.django_db(transaction=True)
def test_frequencies_stay_right_under_concurrent_publishes_unpublishes_and_deletes(
        personas, harbor_help) -> None:
    # given twelve articles sharing most of their words, half of them published
    words = ["refund", "parcel", "return", "order", "card", "delivery", "label", "carrier"]
    translations = []
    for n in range(12):
        text = " ".join(words[(n + i) % len(words)] for i in range(5))
        translations.append(write(harbor_help, f"a{n}", "en", f"Article {n} {words[n % 8]}",
                                  f"{text} {n}", publish=n % 2 == 0,
                                  visibility="internal" if n % 3 == 0 else "public"))
    olivia = personas.olivia
    jobs = []
    for n, tr in enumerate(translations):
        if n % 4 == 0:
            jobs.append(lambda tr=tr: actions.delete_article(olivia, tr.article))
        elif n % 2 == 0:
            jobs.append(lambda tr=tr: actions.unpublish_translation(olivia, tr))
        else:
            jobs.append(lambda tr=tr: actions.publish_translation(olivia, tr))
        if n % 4:  # a second writer on the same translation
            jobs.append(lambda tr=tr: actions.publish_translation(olivia, tr))
    start = threading.Barrier(len(jobs))

    def run(job) -> None:
        try:
            start.wait()
            # published after its article was deleted: nothing to publish
            with contextlib.suppress(ArticleTranslation.DoesNotExist):
                job()
        finally:
            connections.close_all()

    # when they all write at once
    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(run, jobs))
    # then the kept frequencies and counts equal the postings and documents
    assert search_index.check_frequencies(harbor_help.pk) == []
    public = ArticleTranslation.objects.filter(article__help_center=harbor_help,
                                               is_published=True,
                                               article__visibility="public").count()
    assert _docs(harbor_help, "en", False) == public > 0


def _corpus(help_center, rng: random.Random) -> None:
    """~400 translations through the real index writer: Zipf-like words, one word in nearly
    every translation, 120 identical titles (weight ties), a third of them agents-only."""
    vocabulary = [f"w{i}" for i in range(300)]
    zipf = [1 / (i + 1) for i in range(len(vocabulary))]
    now = timezone.now()
    for n in range(400):
        article = Article.objects.create(
            account_id=help_center.account_id, help_center=help_center, slug=f"c{n}",
            visibility="internal" if n % 3 == 0 else "public", tags=[f"tag{n % 7}"])
        if n < 120:
            title, body = "voucher", " ".join(rng.choices(vocabulary[50:], k=20))
        else:
            title = " ".join(rng.choices(vocabulary, weights=zipf, k=rng.randint(2, 6)))
            body = " ".join(rng.choices(vocabulary, weights=zipf, k=rng.randint(10, 200)))
        body += " common"
        tr = ArticleTranslation.objects.create(
            account_id=help_center.account_id, article=article, language="en", title=title,
            body=body, published_title=title, published_body=body, published_at=now,
            is_published=True)
        search_index.index_translation(tr, body)


def test_the_bounded_scan_returns_the_same_candidates_as_scoring_every_match(
        harbor_help, monkeypatch) -> None:
    rng = random.Random(7)
    _corpus(harbor_help, rng)
    assert search_index.check_frequencies(harbor_help.pk) == []
    queries = ["common", "voucher", "w0", "w1 w2", "w0 common", "voucher w3", "tag1",
               "w5 w17 w120", "w1*", "w29 w30 w31 w32"]
    queries += [" ".join(f"w{int(rng.paretovariate(1)) % 300}"
                         for _ in range(rng.randint(1, 4))) for _ in range(40)]
    compared = 0
    for text in queries:
        for internal in (False, True):
            q = search._prepare(harbor_help.pk, "en", text, internal)
            bounded = search._candidates(q)
            exhaustive = search._exhaustive_candidates(q)
            assert [d for d, _ in bounded] == [d for d, _ in exhaustive], (text, internal)
            assert [round(s, 9) for _, s in bounded] == [round(s, 9) for _, s in exhaustive]
            compared += bool(bounded)
    assert compared > 60
    # "common" is in every translation (its kept frequency says so): the scan read the head
    # of its list only
    q = search._prepare(harbor_help.pk, "en", "common", True)
    assert q.groups[0][0].df_public + q.groups[0][0].df_internal == 400
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM helpcenter_searchposting WHERE term_id = %s",
                       [q.groups[0][0].id])
        assert cursor.fetchone()[0] == 400
    stats: dict[str, int] = {}
    assert len(search._candidates(q, stats)) == search.CANDIDATES
    assert stats["read"] < 400
    # and the full search ranks from those candidates alike, whichever plan it picks
    hits = search.search(harbor_help, "en", "voucher", limit=50)
    assert len(hits) == 50 and all(h.title == "voucher" for h in hits)
    by_plan = []
    for up_to in (0, 10**9):  # always the bounded scan, always every match
        monkeypatch.setattr(search, "EXHAUSTIVE_UP_TO", up_to)
        monkeypatch.setattr(search, "EXHAUSTIVE_MANY_WORDS_UP_TO", up_to)
        by_plan.append([[(h.slug, h.score) for h in search.search(harbor_help, "en", text)]
                        for text in queries[:20]])
    assert by_plan[0] == by_plan[1]
