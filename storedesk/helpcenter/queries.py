"""Reads of the help center, each with its access rule.

Agents: everything of their own account's help centers (`*_for` helpers, 404 otherwise).
The public: only help centers marked public, only published translations of public articles,
only in the help center's languages (`public_*` helpers). Nothing else reaches a public page.
"""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from storedesk.accounts.models import Membership
from storedesk.core.errors import NotFound
from storedesk.core.lookup import get_or_404
from storedesk.helpcenter.models import (
    Article,
    ArticleTranslation,
    Category,
    CategoryTranslation,
    HelpCenter,
    Visibility,
)


def help_centers_for(membership: Membership) -> QuerySet[HelpCenter]:
    return HelpCenter.objects.filter(account_id=membership.account_id).select_related("store")


def help_center_for(membership: Membership, pk: int) -> HelpCenter:
    return get_or_404(help_centers_for(membership), "Help center", pk=pk)


def help_center_for_store(membership: Membership, store_id: int) -> HelpCenter:
    return get_or_404(help_centers_for(membership), "Help center", store_id=store_id)


def article_for(membership: Membership, pk: int) -> Article:
    return get_or_404(Article.objects.filter(account_id=membership.account_id)
                      .select_related("help_center__store", "category"), "Article", pk=pk)


def category_for(membership: Membership, help_center: HelpCenter, pk: int) -> Category:
    return get_or_404(Category.objects.filter(account_id=membership.account_id,
                                              help_center=help_center), "Category", pk=pk)


def languages_of(help_center: HelpCenter) -> list[str]:
    return list(help_center.languages or help_center.store.account.languages or ["en"])


# --- Public ---------------------------------------------------------------------------------


def public_help_center(slug: str) -> HelpCenter:
    return get_or_404(HelpCenter.objects.filter(is_public=True)
                      .select_related("store__account", "logo"), "Help center", slug=slug)


def public_language(help_center: HelpCenter, language: str) -> str:
    if language not in languages_of(help_center):
        raise NotFound("Language not found.")
    return language


def public_translations(help_center: HelpCenter, language: str) -> QuerySet[ArticleTranslation]:
    return (ArticleTranslation.objects
            .filter(account_id=help_center.account_id, article__help_center=help_center,
                    language=language, is_published=True,
                    article__visibility=Visibility.PUBLIC)
            .select_related("article"))


def public_article(help_center: HelpCenter, language: str, slug: str) -> ArticleTranslation:
    found = public_translations(help_center, language).filter(article__slug=slug).first()
    if found is None:
        raise NotFound("Article not found.")
    return found


def public_languages_of(translation: ArticleTranslation) -> list[str]:
    """The languages this public article is published in (for hreflang and the switcher)."""
    return list(ArticleTranslation.objects.filter(article_id=translation.article_id,
                                                  is_published=True)
                .order_by("language").values_list("language", flat=True))


def public_categories(help_center: HelpCenter, language: str) -> list[tuple[Category, str, str]]:
    """(category, name, description) of categories with a name in this language."""
    names = {t.category_id: t for t in CategoryTranslation.objects.filter(
        account_id=help_center.account_id, category__help_center=help_center,
        language=language)}
    return [(c, names[c.pk].name, names[c.pk].description)
            for c in help_center.categories.order_by("position", "id") if c.pk in names]


def public_category(help_center: HelpCenter, language: str, slug: str) -> tuple[Category, str]:
    for category, name, _ in public_categories(help_center, language):
        if category.slug == slug:
            return category, name
    raise NotFound("Category not found.")


def popular(help_center: HelpCenter, language: str, limit: int = 6) -> list[ArticleTranslation]:
    return list(public_translations(help_center, language)
                .order_by(F("article__view_count").desc(), F("article__helpful_yes").desc(),
                          "article__position", "article_id")[:limit])


def related_public(translation: ArticleTranslation) -> list[ArticleTranslation]:
    article = translation.article
    ids = list(article.related.values_list("pk", flat=True))
    return list(public_translations(article.help_center, translation.language)
                .filter(article_id__in=ids).order_by("article__position", "article_id"))


def articles_admin(help_center: HelpCenter) -> QuerySet[Article]:
    return (Article.objects.filter(account_id=help_center.account_id, help_center=help_center)
            .select_related("category")
            .prefetch_related(Prefetch("translations",
                                       queryset=ArticleTranslation.objects.order_by("language")))
            .order_by("category__position", "position", "slug"))


# --- Internal articles (procedures) for agents ---------------------------------------------


def internal_articles_for(membership: Membership) -> QuerySet[Article]:
    """The account's agents-only articles (what playbooks link to conversations)."""
    return (Article.objects.filter(account_id=membership.account_id,
                                   visibility=Visibility.INTERNAL)
            .select_related("help_center").order_by("help_center_id", "position", "slug"))


def internal_article_for(membership: Membership, pk: int) -> Article:
    return get_or_404(internal_articles_for(membership), "Internal article", pk=pk)


def internal_article_texts(membership: Membership, article_ids: list[int], language: str
                           ) -> dict[int, ArticleTranslation]:
    """For each internal article, its published translation in `language`, else in its help
    center's first language that has one, else any published one; unpublished ones are left
    out (agents see what editors published, as in the internal search)."""
    rows = (ArticleTranslation.objects
            .filter(account_id=membership.account_id, article_id__in=article_ids,
                    article__visibility=Visibility.INTERNAL)
            .exclude(published_title="").select_related("article__help_center")
            .order_by("article_id", "pk"))
    found: dict[int, ArticleTranslation] = {}
    for row in rows:
        current = found.get(row.article_id)
        if current is None or _rank(row, language) < _rank(current, language):
            found[row.article_id] = row
    return found


def _rank(translation: ArticleTranslation, language: str) -> int:
    if translation.language == language:
        return 0
    languages = list(translation.article.help_center.languages or [])
    if languages and translation.language == languages[0]:
        return 1
    return 2
