"""The help-center API: ranked search for the widget and the assistant, and articles CRUD for
admins; another account's store or article is a 404."""

from __future__ import annotations

from storedesk.helpcenter.models import Article
from storedesk.helpcenter.tests.conftest import write


def test_search_returns_ranked_articles_with_snippet_url_and_score(api, personas,
                                                                  harbor_help) -> None:
    write(harbor_help, "returns", "pl", "Zwroty i zwrot pieniędzy",
          "Możesz odesłać towar w ciągu 30 dni. Zwrócimy pieniądze na kartę.")
    write(harbor_help, "delivery", "pl", "Czas dostawy", "Paczka dociera w 3–5 dni roboczych.")
    write(harbor_help, "procedure", "pl", "Procedura zwrotu", "Zwrot pieniędzy: sprawdź paczkę.",
          visibility="internal")
    client = api(personas.ahmet)
    response = client.get("/api/v1/helpcenter/search",
                          {"store": personas.harbor_store.pk, "q": "zwrocic pieniadze",
                           "lang": "pl"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["language"] == "pl"
    first = body["results"][0]
    assert first["slug"] == "returns" and first["title"] == "Zwroty i zwrot pieniędzy"
    assert first["url"] == "http://testserver/help/harbor/pl/a/returns/"
    assert "pieniądze" in first["snippet"] and first["score"] > 0
    assert [r["slug"] for r in body["results"]] == ["returns"]
    with_internal = client.get("/api/v1/helpcenter/search", {
        "store": personas.harbor_store.pk, "q": "zwrot pieniędzy", "lang": "pl",
        "internal": "true"}).json()["results"]
    assert {r["slug"] for r in with_internal} == {"returns", "procedure"}


def test_search_errors_are_clear(api, personas, harbor_help) -> None:
    client = api(personas.ahmet)
    store = personas.harbor_store.pk
    assert client.get("/api/v1/helpcenter/search", {"store": store, "q": "x",
                                                     "lang": "de"}).status_code == 400
    assert client.get("/api/v1/helpcenter/search", {"store": store, "q": " "}).json() == {
        "detail": "Type something to search for."}
    assert client.get("/api/v1/helpcenter/search", {"store": store}).status_code == 422
    assert api().get("/api/v1/helpcenter/search", {"store": store, "q": "x"}).status_code == 401
    # Northwind's admin cannot search Harbor's help center.
    assert api(personas.bruno).get("/api/v1/helpcenter/search", {
        "store": store, "q": "returns"}).status_code == 404


def test_admin_writes_publishes_and_deletes_articles(api, personas, harbor_help,
                                                     shipping) -> None:
    client = api(personas.olivia)
    created = client.post("/api/v1/helpcenter/articles", {
        "store": personas.harbor_store.pk, "language": "en", "title": "Gift cards",
        "body": "Gift cards *never* expire.", "category": "shipping", "tags": ["Gift Cards"],
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["slug"] == "gift-cards" and article["tags"] == ["gift-cards"]
    assert article["translations"][0]["status"] == "draft"
    article_id = article["id"]
    put = client.put(f"/api/v1/helpcenter/articles/{article_id}/translations/pl", {
        "title": "Karty podarunkowe", "body": "Nie wygasają.", "publish": True,
    }, content_type="application/json")
    assert {t["language"]: t["status"] for t in put.json()["translations"]} == {
        "en": "draft", "pl": "published"}
    published = client.post(f"/api/v1/helpcenter/articles/{article_id}/translations/en/publish")
    assert published.json()["translations"][0]["status"] == "published"
    patched = client.patch(f"/api/v1/helpcenter/articles/{article_id}",
                           {"visibility": "internal"}, content_type="application/json")
    assert patched.json()["visibility"] == "internal"
    listing = client.get("/api/v1/helpcenter/articles", {"store": personas.harbor_store.pk})
    assert [a["slug"] for a in listing.json()] == ["gift-cards"]
    assert client.delete(f"/api/v1/helpcenter/articles/{article_id}").status_code == 204
    assert not Article.objects.filter(pk=article_id).exists()


def test_agents_read_but_do_not_write_and_other_accounts_get_404(api, personas,
                                                                harbor_help) -> None:
    tr = write(harbor_help, "returns", "en", "Returns", "Within 30 days.")
    article_id = tr.article_id
    agent = api(personas.ahmet)
    assert agent.get(f"/api/v1/helpcenter/articles/{article_id}").status_code == 200
    assert agent.post("/api/v1/helpcenter/articles", {
        "store": personas.harbor_store.pk, "language": "en", "title": "X"},
        content_type="application/json").status_code == 403
    assert agent.post(
        f"/api/v1/helpcenter/articles/{article_id}/translations/en/unpublish").status_code == 403
    assert agent.delete(f"/api/v1/helpcenter/articles/{article_id}").status_code == 403
    bruno = api(personas.bruno)
    assert bruno.get(f"/api/v1/helpcenter/articles/{article_id}").status_code == 404
    assert bruno.delete(f"/api/v1/helpcenter/articles/{article_id}").status_code == 404
    assert bruno.get("/api/v1/helpcenter/articles",
                     {"store": personas.harbor_store.pk}).status_code == 404
    assert bruno.post("/api/v1/helpcenter/articles", {
        "store": personas.harbor_store.pk, "language": "en", "title": "X"},
        content_type="application/json").status_code == 404
