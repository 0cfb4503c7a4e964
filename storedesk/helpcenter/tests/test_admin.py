"""Olivia (owner) runs the help center from the settings area: writes a draft, publishes it,
edits it without touching the live page until she publishes again, restores a revision.
Agents and other accounts get 404."""

from __future__ import annotations

from django.test import Client

from storedesk.helpcenter.models import Article, ArticleTranslation
from storedesk.helpcenter.tests.conftest import write


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def test_owner_writes_publishes_and_edits_an_article(personas, harbor_help, shipping) -> None:
    olivia = signed_in(personas.olivia)
    assert olivia.get("/settings/helpcenter/").status_code == 302
    overview = olivia.get(f"/settings/helpcenter/{harbor_help.pk}/")
    assert overview.status_code == 200
    response = olivia.post(f"/settings/helpcenter/{harbor_help.pk}/articles/new/?lang=en", {
        "title": "Gift cards", "body": "They **never** expire.", "visibility": "public",
        "category": str(shipping.pk), "tags": "gifts, cards", "intent": "save"})
    assert response.status_code == 302
    article = Article.objects.get(slug="gift-cards")
    assert article.tags == ["gifts", "cards"] and article.category == shipping
    assert Client().get("/help/harbor/en/a/gift-cards/").status_code == 404  # still a draft
    edit_url = f"/settings/helpcenter/articles/{article.pk}/en/"
    olivia.post(edit_url, {"title": "Gift cards", "body": "They **never** expire.",
                           "visibility": "public", "intent": "publish"})
    live = Client().get("/help/harbor/en/a/gift-cards/").content.decode()
    assert "<strong>never</strong>" in live
    olivia.post(edit_url, {"title": "Gift cards", "body": "They expire after 2 years.",
                           "visibility": "public", "intent": "save"})
    tr = ArticleTranslation.objects.get(article=article, language="en")
    assert tr.status == "changed"
    assert "never" in Client().get("/help/harbor/en/a/gift-cards/").content.decode()
    page = olivia.get(edit_url).content.decode()
    assert "They expire after 2 years." in page and 'data-testid="revisions"' in page
    first = tr.revisions.order_by("number").first()
    olivia.post(f"/settings/helpcenter/revisions/{first.pk}/restore/")
    tr.refresh_from_db()
    assert tr.body == "They **never** expire." and tr.revisions.count() == 4
    assert "gift-cards" in olivia.get(f"/settings/helpcenter/{harbor_help.pk}/").content.decode()


def test_markdown_with_script_is_stored_as_typed_and_published_sanitised(personas,
                                                                        harbor_help) -> None:
    olivia = signed_in(personas.olivia)
    olivia.post(f"/settings/helpcenter/{harbor_help.pk}/articles/new/?lang=en", {
        "title": "Tricky", "body": "<script>alert(1)</script> [x](javascript:alert(1))",
        "visibility": "public", "intent": "publish"})
    html = Client().get("/help/harbor/en/a/tricky/").content.decode()
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html


def test_settings_pages_are_admin_only_and_account_scoped(personas, harbor_help) -> None:
    tr = write(harbor_help, "returns", "en", "Returns", "Within 30 days.")
    pages = [f"/settings/helpcenter/{harbor_help.pk}/",
             f"/settings/helpcenter/articles/{tr.article_id}/en/",
             f"/settings/helpcenter/{harbor_help.pk}/articles/new/"]
    for who in (personas.ahmet, personas.lina, personas.bruno):
        client = signed_in(who)
        for url in pages:
            assert client.get(url).status_code == 404, (who, url)
        delete = f"/settings/helpcenter/articles/{tr.article_id}/delete/"
        assert client.post(delete).status_code == 404
    assert Article.objects.filter(pk=tr.article_id).exists()
    assert Client().get(pages[0]).status_code == 302  # to sign-in
    # POST only for changes.
    assert signed_in(personas.olivia).get(
        f"/settings/helpcenter/articles/{tr.article_id}/delete/").status_code == 405


def test_settings_theme_and_categories(personas, harbor_help) -> None:
    olivia = signed_in(personas.olivia)
    olivia.post(f"/settings/helpcenter/{harbor_help.pk}/settings/", {
        "name": "Harbor Help", "default_language": "pl", "languages": ["en", "pl"],
        "is_public": "on", "primary_color": "#123456", "accent_color": "#654321",
        "contact_email": "help@harbor.test", "chat_url": ""})
    harbor_help.refresh_from_db()
    assert (harbor_help.name, harbor_help.default_language, harbor_help.languages) == (
        "Harbor Help", "pl", ["en", "pl"])
    assert Client().get("/help/harbor/th/").status_code == 404  # not among its languages now
    olivia.post(f"/settings/helpcenter/{harbor_help.pk}/categories/", {
        "slug": "returns", "language": "pl", "name": "Zwroty", "position": "2"})
    category = harbor_help.categories.get(slug="returns")
    assert category.translations.get(language="pl").name == "Zwroty"
