"""A shopper browses Harbor & Vine's help center: published public articles only, in the
language of the URL, with SEO links that point at real pages; votes are POST + CSRF and rate
limited."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from storedesk.commerce.models import Store
from storedesk.helpcenter import actions
from storedesk.helpcenter.models import Article, ArticleVote
from storedesk.helpcenter.tests.conftest import write

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def content(harbor_help, shipping):
    returns_en = write(harbor_help, "returns", "en", "Returns and refunds",
                       "Send items back within **30 days**.", summary="Send it back in 30 days.",
                       category=shipping)
    write(harbor_help, "returns", "pl", "Zwroty", "Odeślij towar w ciągu 30 dni.",
          category=shipping)
    write(harbor_help, "returns", "th", "การคืนสินค้า", "ส่งสินค้าคืนได้ภายใน 30 วัน",
          publish=False, category=shipping)
    write(harbor_help, "gift-cards", "en", "Gift cards", "Coming soon.", publish=False)
    write(harbor_help, "lost-parcel", "en", "Lost parcel procedure", "Open a claim.",
          visibility="internal", category=shipping)
    return returns_en


def test_home_article_and_search_pages(content, harbor_help) -> None:
    shopper = Client()
    assert shopper.get("/help/harbor/").status_code == 302
    home = shopper.get("/help/harbor/en/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Returns and refunds" in html and "Shipping" in html
    assert "Gift cards" not in html and "Lost parcel" not in html
    page = shopper.get("/help/harbor/en/a/returns/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<strong>30 days</strong>" in body
    assert '<meta name="description" content="Send it back in 30 days.">' in body
    results = shopper.get("/help/harbor/en/search/", {"q": "send back"}).content.decode()
    assert "/help/harbor/en/a/returns/" in results
    assert shopper.get("/help/harbor/en/c/shipping/").status_code == 200
    assert shopper.get("/help/harbor/pl/a/returns/").status_code == 200


def test_drafts_internal_and_disabled_languages_are_404(content, harbor_help) -> None:
    shopper = Client()
    assert shopper.get("/help/harbor/en/a/gift-cards/").status_code == 404
    assert shopper.get("/help/harbor/en/a/lost-parcel/").status_code == 404
    assert shopper.get("/help/harbor/th/a/returns/").status_code == 404  # a draft translation
    assert shopper.get("/help/harbor/de/").status_code == 404
    assert shopper.get("/help/nowhere/en/").status_code == 404
    for query in ("gift cards", "lost parcel claim"):
        html = shopper.get("/help/harbor/en/search/", {"q": query}).content.decode()
        assert "gift-cards" not in html and "lost-parcel" not in html
    harbor_help.is_public = False
    harbor_help.save()
    assert shopper.get("/help/harbor/en/a/returns/").status_code == 404


def test_another_accounts_help_center_shows_only_its_own_articles(content, personas) -> None:
    north = actions.ensure_help_center(
        Store.objects.create(account=personas.northwind, slug="north", name="Northwind"))
    write(north, "returns", "en", "Northwind returns", "Their own policy.")
    shopper = Client()
    theirs = shopper.get(f"/help/{north.slug}/en/a/returns/").content.decode()
    assert "Northwind returns" in theirs and "Returns and refunds" not in theirs
    assert shopper.get(f"/help/{north.slug}/en/a/lost-parcel/").status_code == 404
    search = shopper.get(f"/help/{north.slug}/en/search/", {"q": "returns refunds"})
    assert "/help/harbor/" not in search.content.decode()


def test_canonical_and_hreflang_point_at_the_published_translations(content) -> None:
    html = Client().get("/help/harbor/en/a/returns/").content.decode()
    assert '<link rel="canonical" href="http://testserver/help/harbor/en/a/returns/">' in html
    langs = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))
    assert langs == {
        "en": "http://testserver/help/harbor/en/a/returns/",
        "pl": "http://testserver/help/harbor/pl/a/returns/",
        "x-default": "http://testserver/help/harbor/en/a/returns/",
    }  # no "th": that translation is a draft
    for url in langs.values():
        assert Client().get(url.removeprefix("http://testserver")).status_code == 200


def test_sitemap_lists_public_pages_with_alternates(content) -> None:
    response = Client().get("/help/harbor/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    urls = {u.find("s:loc", NS).text: u for u in root.findall("s:url", NS)}
    articles = sorted(loc for loc in urls if "/a/" in loc)
    assert articles == ["http://testserver/help/harbor/en/a/returns/",
                        "http://testserver/help/harbor/pl/a/returns/"]
    alternates = {a.get("hreflang"): a.get("href")
                  for a in urls[articles[0]].findall("x:link", NS)}
    assert alternates == {"en": articles[0], "pl": articles[1]}
    assert urls[articles[0]].find("s:lastmod", NS) is not None
    assert "http://testserver/help/harbor/en/" in urls
    for loc in urls:
        assert Client().get(loc.removeprefix("http://testserver")).status_code == 200


def test_was_this_helpful_vote_with_comment(content) -> None:
    shopper = Client(enforce_csrf_checks=True)
    page = shopper.get("/help/harbor/en/a/returns/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert shopper.post("/help/harbor/en/a/returns/vote/",
                        {"helpful": "yes"}).status_code == 403  # no CSRF token
    response = shopper.post("/help/harbor/en/a/returns/vote/", {
        "helpful": "no", "comment": "Say where to send it", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    article = Article.objects.get(slug="returns")
    assert (article.helpful_yes, article.helpful_no) == (0, 1)
    # Voting again changes the vote instead of adding one.
    shopper.post("/help/harbor/en/a/returns/vote/", {"helpful": "yes",
                                                     "csrfmiddlewaretoken": token})
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    vote = ArticleVote.objects.get(article=article)
    assert vote.comment == "Say where to send it" and vote.language == "en"
    assert "Thank you" in shopper.get(response["Location"]).content.decode()
    assert Client().get("/help/harbor/en/a/returns/vote/").status_code == 405
    assert shopper.post("/help/harbor/en/a/gift-cards/vote/", {
        "helpful": "yes", "csrfmiddlewaretoken": token}).status_code == 404


def test_votes_are_rate_limited(content) -> None:
    codes = [Client().post("/help/harbor/en/a/returns/vote/", {"helpful": "yes"}).status_code
             for _ in range(22)]
    assert codes[:20] == [302] * 20
    assert codes[20:] == [429, 429]


def test_theme_logo_and_images(content, harbor_help, personas) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    image = actions.upload_image(personas.olivia, harbor_help, filename="logo.png", content=png)
    actions.set_logo(personas.olivia, harbor_help, image)
    actions.update_help_center(personas.olivia, harbor_help, actions.HelpCenterSettings(
        name="Harbor Help", default_language="en", primary_color="#112233",
        accent_color="#445566", contact_email="help@harbor.test", chat_url="https://harbor.test/chat"))
    html = Client().get("/help/harbor/en/").content.decode()
    assert "--primary: #112233" in html and f"/help/harbor/images/{image.key}" in html
    assert 'href="mailto:help@harbor.test"' in html and "https://harbor.test/chat" in html
    served = Client().get(f"/help/harbor/images/{image.key}")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png
    with pytest.raises(actions.ActionError):
        actions.upload_image(personas.olivia, harbor_help, filename="x.svg",
                             content=b"<svg onload=alert(1)>")
    with pytest.raises(actions.PermissionDenied):
        actions.upload_image(personas.ahmet, harbor_help, filename="a.png", content=png)
