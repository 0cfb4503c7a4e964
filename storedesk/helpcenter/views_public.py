"""The public help center: server-rendered pages for shoppers, no sign-in.

Every page starts from `queries.public_help_center` + `public_language`, and shows only
published translations of public articles (`queries.public_*`); a draft, an internal article, a
disabled language or a non-public help center is a 404, the same as something that does not
exist. The only write is the "was this helpful?" vote: POST, CSRF-checked, rate limited per
address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation as i18n
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from storedesk.core.errors import NotFound
from storedesk.helpcenter import actions, queries, search
from storedesk.helpcenter.markdown import plain_text
from storedesk.helpcenter.models import HelpCenter, HelpImage

LANGUAGE_NAMES = dict(settings.LANGUAGES)
VOTE_RATE = "20/h"


def _help_center(slug: str, lang: str | None = None) -> tuple[HelpCenter, str]:
    try:
        help_center = queries.public_help_center(slug)
        language = queries.public_language(help_center, lang) if lang else ""
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    return help_center, language


def _page(request: HttpRequest, help_center: HelpCenter, language: str, template: str,
          context: dict[str, Any], *, alternates: list[str] | None = None,
          path_for: Any = None, status: int = 200) -> HttpResponse:
    """Render in the page's language, with canonical + hreflang links for `alternates`."""
    languages = queries.languages_of(help_center)
    alternates = alternates if alternates is not None else languages
    path_for = path_for or (lambda lang: reverse("helpcenter:home",
                                                 args=[help_center.slug, lang]))
    hreflang = [(lang, request.build_absolute_uri(path_for(lang))) for lang in alternates]
    default = (help_center.default_language if help_center.default_language in alternates
               else (alternates[0] if alternates else language))
    with i18n.override(language):
        return render(request, template, {
            "hc": help_center, "lang": language, "language_name": LANGUAGE_NAMES.get(language),
            "switcher": [(lang, LANGUAGE_NAMES.get(lang, lang), path_for(lang))
                         for lang in alternates],
            "canonical": request.build_absolute_uri(path_for(language)),
            "hreflang": hreflang,
            "x_default": request.build_absolute_uri(path_for(default)) if alternates else "",
            **context,
        }, status=status)


@require_GET
def root(request: HttpRequest, hc: str) -> HttpResponse:
    help_center, _ = _help_center(hc)
    languages = queries.languages_of(help_center)
    preferred = i18n.get_language_from_request(request)
    language = preferred if preferred in languages else help_center.default_language
    return redirect("helpcenter:home", help_center.slug, language)


@require_GET
def home(request: HttpRequest, hc: str, lang: str) -> HttpResponse:
    help_center, language = _help_center(hc, lang)
    translations = list(queries.public_translations(help_center, language)
                        .order_by("article__position", "article__slug"))
    by_category: dict[int | None, list[Any]] = {}
    for tr in translations:
        by_category.setdefault(tr.article.category_id, []).append(tr)
    categories = [(c, name, description, by_category.get(c.pk, []))
                  for c, name, description in queries.public_categories(help_center, language)]
    return _page(request, help_center, language, "helpcenter/public/home.html", {
        "categories": [c for c in categories if c[3]],
        "popular": queries.popular(help_center, language),
        "meta_description": help_center.name,
    })


@require_GET
def category(request: HttpRequest, hc: str, lang: str, category: str) -> HttpResponse:
    help_center, language = _help_center(hc, lang)
    try:
        found, name = queries.public_category(help_center, language, category)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    articles = list(queries.public_translations(help_center, language)
                    .filter(article__category=found)
                    .order_by("article__position", "article__slug"))
    return _page(request, help_center, language, "helpcenter/public/category.html", {
        "category": found, "category_name": name, "articles": articles,
        "meta_description": name,
    }, path_for=lambda lang: reverse("helpcenter:category", args=[help_center.slug, lang,
                                                                   found.slug]))


@require_GET
def article(request: HttpRequest, hc: str, lang: str, article: str) -> HttpResponse:
    help_center, language = _help_center(hc, lang)
    try:
        translation = queries.public_article(help_center, language, article)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    actions.record_view(translation.article)
    description = translation.published_summary or plain_text(translation.published_body)
    alternates = [lang for lang in queries.public_languages_of(translation)
                  if lang in queries.languages_of(help_center)]
    category_name = None
    if translation.article.category_id:
        names = {c.pk: name for c, name, _ in queries.public_categories(help_center, language)}
        category_name = names.get(translation.article.category_id)
    return _page(request, help_center, language, "helpcenter/public/article.html", {
        "tr": translation, "article": translation.article, "category_name": category_name,
        "related": queries.related_public(translation),
        "meta_description": description[:155],
        "voted": request.GET.get("voted"),
    }, alternates=alternates,
        path_for=lambda lang: reverse("helpcenter:article", args=[help_center.slug, lang,
                                                                  article]))


@require_GET
def search_page(request: HttpRequest, hc: str, lang: str) -> HttpResponse:
    help_center, language = _help_center(hc, lang)
    q = request.GET.get("q", "").strip()[:200]
    hits = search.search(help_center, language, q, limit=20) if q else []
    response = _page(request, help_center, language, "helpcenter/public/search.html", {
        "q": q, "hits": hits, "meta_description": help_center.name,
    }, path_for=lambda lang: reverse("helpcenter:search", args=[help_center.slug, lang]))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def vote(request: HttpRequest, hc: str, lang: str, article: str) -> HttpResponse:
    help_center, language = _help_center(hc, lang)
    try:
        translation = queries.public_article(help_center, language, article)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if is_ratelimited(request, group="helpcenter:vote", key="ip", rate=VOTE_RATE,
                      method="POST", increment=True):
        return HttpResponse("Too many votes. Try again later.", status=429,
                            content_type="text/plain; charset=utf-8")
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return HttpResponse("Choose yes or no.", status=400,
                            content_type="text/plain; charset=utf-8")
    if not request.session.session_key:
        request.session.save()
    actions.record_vote(translation.article, language=language, helpful=helpful == "yes",
                        comment=request.POST.get("comment", ""),
                        voter=actions.voter_key(request.META.get("REMOTE_ADDR", ""),
                                                request.session.session_key or ""))
    url = reverse("helpcenter:article", args=[help_center.slug, language, article])
    return redirect(f"{url}?voted={helpful}#feedback")


@require_GET
def sitemap(request: HttpRequest, hc: str) -> HttpResponse:
    help_center, _ = _help_center(hc)
    languages = queries.languages_of(help_center)
    urls: list[dict[str, Any]] = []
    homes = {lang: request.build_absolute_uri(reverse("helpcenter:home",
                                                      args=[help_center.slug, lang]))
             for lang in languages}
    for lang in languages:
        urls.append({"loc": homes[lang], "alternates": homes.items(), "lastmod": None})
    by_article: dict[int, dict[str, Any]] = {}
    for lang in languages:
        for tr in queries.public_translations(help_center, lang):
            by_article.setdefault(tr.article_id, {})[lang] = tr
    for translations in by_article.values():
        locs = {lang: request.build_absolute_uri(reverse(
            "helpcenter:article", args=[help_center.slug, lang, tr.article.slug]))
            for lang, tr in translations.items()}
        for lang, tr in translations.items():
            urls.append({"loc": locs[lang], "alternates": sorted(locs.items()),
                         "lastmod": tr.published_at})
    return render(request, "helpcenter/public/sitemap.xml", {"urls": urls},
                  content_type="application/xml; charset=utf-8")


@require_GET
def image(request: HttpRequest, hc: str, key: str) -> FileResponse:
    help_center, _ = _help_center(hc)
    found = HelpImage.objects.filter(help_center=help_center, key=key).first()
    if found is None:
        raise Http404
    try:
        path = actions.image_path(found.key)
        handle = path.open("rb")
    except (NotFound, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
