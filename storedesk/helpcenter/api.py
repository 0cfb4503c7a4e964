"""REST API v1 under /api/v1/helpcenter/: search (any agent), articles CRUD (admins)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from storedesk.core.errors import ActionError, NotFound
from storedesk.core.validation import DbId, SafeStr
from storedesk.helpcenter import actions, queries, search
from storedesk.helpcenter.models import Article, ArticleTranslation, Category
from storedesk.helpcenter.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    SearchOut,
    TranslationIn,
)

router = Router(tags=["helpcenter"])


class SearchParams(Schema):
    store: DbId
    q: SafeStr
    lang: SafeStr = ""
    internal: bool = False
    limit: int = Field(10, ge=1, le=50)


def hit_url(help_center_slug: str, language: str, slug: str, article_id: int,
            internal: bool) -> str:
    if internal:
        return reverse("helpcenter_admin:article", args=[article_id, language])
    return reverse("helpcenter:article", args=[help_center_slug, language, slug])


@router.get("/helpcenter/search", response=SearchOut, url_name="helpcenter_search")
def search_articles(request: HttpRequest, params: Query[SearchParams]) -> Any:
    """Published articles of the store's help center ranked for the query. `internal=true`
    adds the agents-only articles."""
    help_center = queries.help_center_for_store(request.auth, params.store)  # type: ignore[attr-defined]
    language = params.lang or help_center.default_language
    if language not in queries.languages_of(help_center):
        raise ActionError(f"Language {language!r} is not enabled for this help center.")
    q = params.q.strip()[:500]
    if not q:
        raise ActionError("Type something to search for.")
    hits = search.search(help_center, language, q, include_internal=params.internal,
                         limit=params.limit)
    return {"query": q, "language": language, "results": [
        {"id": h.article_id, "slug": h.slug, "language": h.language, "title": h.title,
         "snippet": h.snippet, "internal": h.internal, "score": h.score,
         "url": request.build_absolute_uri(
             hit_url(help_center.slug, h.language, h.slug, h.article_id, h.internal))}
        for h in hits]}


def article_out(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk, "help_center": article.help_center_id, "slug": article.slug,
        "category": article.category.slug if article.category else None,
        "visibility": article.visibility, "tags": article.tags,
        "related": sorted(article.related.values_list("slug", flat=True)),
        "helpful_yes": article.helpful_yes, "helpful_no": article.helpful_no,
        "view_count": article.view_count,
        "translations": [
            {"language": t.language, "title": t.title, "summary": t.summary, "body": t.body,
             "status": t.status, "published_at": t.published_at, "updated_at": t.updated_at}
            for t in article.translations.order_by("language")],
    }


@router.get("/helpcenter/articles", response=list[ArticleOut], url_name="helpcenter_articles")
def list_articles(request: HttpRequest, store: DbId) -> Any:
    help_center = queries.help_center_for_store(request.auth, store)  # type: ignore[attr-defined]
    return [article_out(a) for a in queries.articles_admin(help_center)[:500]]


def _category(help_center: Any, slug: str | None) -> Category | None:
    if not slug:
        return None
    found = Category.objects.filter(help_center=help_center, slug=slug).first()
    if found is None:
        raise NotFound(f"No category {slug!r}.")
    return found


@router.post("/helpcenter/articles", response={201: ArticleOut},
             url_name="helpcenter_article_create")
def create_article(request: HttpRequest, payload: ArticleIn) -> Any:
    membership = request.auth  # type: ignore[attr-defined]
    actions.require_editor(membership)
    help_center = queries.help_center_for_store(membership, payload.store)
    translation = actions.save_article(membership, help_center, actions.ArticleInput(
        slug=payload.slug, language=payload.language, title=payload.title, body=payload.body,
        summary=payload.summary, category=_category(help_center, payload.category),
        visibility=payload.visibility, tags=payload.tags))
    if payload.related is not None:
        actions.set_related(membership, translation.article, payload.related)
    if payload.publish:
        actions.publish_translation(membership, translation)
    return 201, article_out(translation.article)


@router.get("/helpcenter/articles/{article_id}", response=ArticleOut,
            url_name="helpcenter_article")
def get_article(request: HttpRequest, article_id: int) -> Any:
    return article_out(queries.article_for(request.auth, article_id))  # type: ignore[attr-defined]


@router.patch("/helpcenter/articles/{article_id}", response=ArticleOut)
def patch_article(request: HttpRequest, article_id: int, payload: ArticlePatch) -> Any:
    membership = request.auth  # type: ignore[attr-defined]
    article = queries.article_for(membership, article_id)
    actions.require_editor(membership)
    first = article.translations.order_by("language").first()
    if first is None:
        raise ActionError("The article has no translation yet.")
    fields = payload.dict(exclude_unset=True)
    actions.save_article(membership, article.help_center, actions.ArticleInput(
        slug=article.slug, language=first.language, title=first.title, body=first.body,
        summary=first.summary,
        category=(_category(article.help_center, fields["category"]) if "category" in fields
                  else article.category),
        visibility=fields.get("visibility") or article.visibility,
        tags=fields["tags"] if fields.get("tags") is not None else article.tags,
    ), article=article)
    if payload.related is not None:
        actions.set_related(membership, article, payload.related)
    return article_out(queries.article_for(membership, article_id))


@router.put("/helpcenter/articles/{article_id}/translations/{language}", response=ArticleOut)
def put_translation(request: HttpRequest, article_id: int, language: str,
                    payload: TranslationIn) -> Any:
    membership = request.auth  # type: ignore[attr-defined]
    article = queries.article_for(membership, article_id)
    translation = actions.save_article(membership, article.help_center, actions.ArticleInput(
        slug=article.slug, language=language, title=payload.title, body=payload.body,
        summary=payload.summary, category=article.category, visibility=article.visibility,
        tags=article.tags), article=article)
    if payload.publish:
        actions.publish_translation(membership, translation)
    return article_out(article)


def _translation(membership: Any, article_id: int, language: str) -> ArticleTranslation:
    article = queries.article_for(membership, article_id)
    found = article.translations.filter(language=language).first()
    if found is None:
        raise NotFound("Translation not found.")
    return found


@router.post("/helpcenter/articles/{article_id}/translations/{language}/publish",
             response=ArticleOut)
def publish(request: HttpRequest, article_id: int, language: str) -> Any:
    translation = _translation(request.auth, article_id, language)  # type: ignore[attr-defined]
    actions.publish_translation(request.auth, translation)  # type: ignore[attr-defined]
    return article_out(translation.article)


@router.post("/helpcenter/articles/{article_id}/translations/{language}/unpublish",
             response=ArticleOut)
def unpublish(request: HttpRequest, article_id: int, language: str) -> Any:
    translation = _translation(request.auth, article_id, language)  # type: ignore[attr-defined]
    actions.unpublish_translation(request.auth, translation)  # type: ignore[attr-defined]
    return article_out(translation.article)


@router.delete("/helpcenter/articles/{article_id}", response={204: None})
def delete(request: HttpRequest, article_id: int) -> Any:
    article = queries.article_for(request.auth, article_id)  # type: ignore[attr-defined]
    actions.delete_article(request.auth, article)  # type: ignore[attr-defined]
    return 204, None
