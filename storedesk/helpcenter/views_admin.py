"""Help-center settings pages: the article list, editing per language, publishing, categories,
theme and images. Admins and owners only (404 for everyone else); every object is looked up in
the signed-in agent's account; mutations are POST + CSRF, one action each, then a redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.commerce.queries import get_store, visible_stores
from storedesk.core.errors import ActionError, NotFound
from storedesk.helpcenter import actions, queries
from storedesk.helpcenter.forms import (
    ArticleForm,
    CategoryForm,
    HelpCenterForm,
    ImageForm,
    split_list,
)
from storedesk.helpcenter.models import (
    Article,
    ArticleRevision,
    CategoryTranslation,
    HelpCenter,
)


def _hc(request: HttpRequest, hc_id: int) -> HelpCenter:
    try:
        return queries.help_center_for(request.membership, hc_id)  # type: ignore[attr-defined]
    except NotFound as exc:
        raise Http404 from exc


def _article(request: HttpRequest, article_id: int) -> Article:
    try:
        return queries.article_for(request.membership, article_id)  # type: ignore[attr-defined]
    except NotFound as exc:
        raise Http404 from exc


def _page(request: HttpRequest, template: str, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": "helpcenter", **context},
                  status=status)


def _errors(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    centers = list(queries.help_centers_for(membership).order_by("name"))
    if len(centers) == 1 and not request.GET.get("all"):
        return redirect("helpcenter_admin:overview", centers[0].pk)
    without = visible_stores(membership).exclude(pk__in=[c.store_id for c in centers])
    return _page(request, "helpcenter/admin/index.html", {"centers": centers,
                                                          "stores_without": without})


@admin_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    try:
        store = get_store(request.membership, int(request.POST.get("store", "0")))  # type: ignore[attr-defined]
    except (NotFound, ValueError) as exc:
        raise Http404 from exc
    help_center = actions.ensure_help_center(store)
    return redirect("helpcenter_admin:overview", help_center.pk)


@admin_required
@require_GET
def overview(request: HttpRequest, hc_id: int) -> HttpResponse:
    help_center = _hc(request, hc_id)
    languages = queries.languages_of(help_center)
    articles = []
    for article in queries.articles_admin(help_center):
        by_lang = {t.language: t for t in article.translations.all()}
        articles.append((article, [(lang, by_lang.get(lang)) for lang in languages]))
    names = {(t.category_id, t.language): t.name for t in CategoryTranslation.objects.filter(
        account_id=help_center.account_id, category__help_center=help_center)}
    categories = [(c, [(lang, names.get((c.pk, lang), "")) for lang in languages])
                  for c in help_center.categories.all()]
    form = HelpCenterForm(initial={
        "name": help_center.name, "default_language": help_center.default_language,
        "languages": help_center.languages, "is_public": help_center.is_public,
        "primary_color": help_center.primary_color, "accent_color": help_center.accent_color,
        "contact_email": help_center.contact_email, "chat_url": help_center.chat_url})
    return _page(request, "helpcenter/admin/overview.html", {
        "hc": help_center, "languages": languages, "articles": articles,
        "categories": categories, "settings_form": form, "category_form": CategoryForm(),
        "image_form": ImageForm(), "images": help_center.images.order_by("-created_at")[:20],
        "public_url": reverse("helpcenter:root", args=[help_center.slug]),
    })


@admin_required
@require_POST
def settings_save(request: HttpRequest, hc_id: int) -> HttpResponse:
    help_center = _hc(request, hc_id)
    form = HelpCenterForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            actions.update_help_center(request.membership, help_center,  # type: ignore[attr-defined]
                                       actions.HelpCenterSettings(**form.cleaned_data))
            messages.success(request, _("Help center saved."))
        except ActionError as exc:
            messages.error(request, exc.detail)
    return redirect("helpcenter_admin:overview", help_center.pk)


@admin_required
@require_POST
def category_save(request: HttpRequest, hc_id: int) -> HttpResponse:
    help_center = _hc(request, hc_id)
    form = CategoryForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        data = form.cleaned_data
        try:
            actions.save_category(request.membership, help_center, slug=data["slug"],  # type: ignore[attr-defined]
                                  names={data["language"]: data["name"]},
                                  descriptions={data["language"]: data["description"]},
                                  position=data["position"])
            messages.success(request, _("Category saved."))
        except ActionError as exc:
            messages.error(request, exc.detail)
    return redirect("helpcenter_admin:overview", help_center.pk)


@admin_required
@require_POST
def image_upload(request: HttpRequest, hc_id: int) -> HttpResponse:
    help_center = _hc(request, hc_id)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form)
        return redirect("helpcenter_admin:overview", help_center.pk)
    upload = form.cleaned_data["image"]
    try:
        image = actions.upload_image(request.membership, help_center,  # type: ignore[attr-defined]
                                     filename=upload.name, content=upload.read())
        if form.cleaned_data["as_logo"]:
            actions.set_logo(request.membership, help_center, image)  # type: ignore[attr-defined]
        url = reverse("helpcenter:image", args=[help_center.slug, image.key])
        messages.success(request, _("Image uploaded. Markdown: ") + f"![]({url})")
    except ActionError as exc:
        messages.error(request, exc.detail)
    return redirect("helpcenter_admin:overview", help_center.pk)


def _category_choices(help_center: HelpCenter, language: str) -> list[tuple[str, str]]:
    names = {t.category_id: t.name for t in CategoryTranslation.objects.filter(
        category__help_center=help_center, language=language)}
    return [(str(c.pk), names.get(c.pk, c.slug)) for c in help_center.categories.all()]


def _save(request: HttpRequest, help_center: HelpCenter, form: ArticleForm, language: str,
          article: Article | None) -> Article:
    membership = request.membership  # type: ignore[attr-defined]
    data = form.cleaned_data
    category = (queries.category_for(membership, help_center, int(data["category"]))
                if data["category"] else None)
    translation = actions.save_article(membership, help_center, actions.ArticleInput(
        slug=data["slug"] or (article.slug if article else ""), language=language,
        title=data["title"], body=data["body"], summary=data["summary"], category=category,
        visibility=data["visibility"], tags=split_list(data["tags"])), article=article)
    actions.set_related(membership, translation.article, split_list(data["related"]))
    intent = request.POST.get("intent", "save")
    if intent == "publish":
        actions.publish_translation(membership, translation)
        messages.success(request, _("Published."))
    elif intent == "unpublish" and translation.is_published:
        actions.unpublish_translation(membership, translation)
        messages.success(request, _("Unpublished."))
    else:
        messages.success(request, _("Draft saved."))
    return translation.article


@admin_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest, hc_id: int) -> HttpResponse:
    help_center = _hc(request, hc_id)
    language = request.GET.get("lang") or help_center.default_language
    form = ArticleForm(request.POST or None, categories=_category_choices(help_center, language),
                       initial={"visibility": "public"})
    if request.method == "POST" and form.is_valid():
        try:
            article = _save(request, help_center, form, language, None)
            return redirect("helpcenter_admin:article", article.pk, language)
        except ActionError as exc:
            messages.error(request, exc.detail)
    return _page(request, "helpcenter/admin/article.html", {
        "hc": help_center, "form": form, "lang": language, "article": None,
        "languages": queries.languages_of(help_center)})


@admin_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int, lang: str) -> HttpResponse:
    article = _article(request, article_id)
    help_center = article.help_center
    if lang not in queries.languages_of(help_center):
        raise Http404
    translation = article.translations.filter(language=lang).first()
    initial = {
        "slug": article.slug, "category": str(article.category_id or ""),
        "visibility": article.visibility, "tags": ", ".join(article.tags),
        "related": ", ".join(article.related.values_list("slug", flat=True)),
    }
    if translation is not None:
        initial.update(title=translation.title, summary=translation.summary,
                       body=translation.body)
    form = ArticleForm(request.POST or None, initial=initial,
                       categories=_category_choices(help_center, lang))
    if request.method == "POST" and form.is_valid():
        try:
            _save(request, help_center, form, lang, article)
            return redirect("helpcenter_admin:article", article.pk, lang)
        except ActionError as exc:
            messages.error(request, exc.detail)
    return _page(request, "helpcenter/admin/article.html", {
        "hc": help_center, "form": form, "lang": lang, "article": article, "tr": translation,
        "languages": queries.languages_of(help_center),
        "revisions": translation.revisions.select_related("author")[:20] if translation else [],
        "public_url": (reverse("helpcenter:article", args=[help_center.slug, lang, article.slug])
                       if translation and translation.is_published
                       and article.visibility == "public" else ""),
    })


@admin_required
@require_POST
def article_delete(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(request, article_id)
    actions.delete_article(request.membership, article)  # type: ignore[attr-defined]
    messages.success(request, _("Article deleted."))
    return redirect("helpcenter_admin:overview", article.help_center_id)


@admin_required
@require_POST
def revision_restore(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = (ArticleRevision.objects.select_related("translation__article")
                .filter(account_id=request.membership.account_id, pk=revision_id).first())  # type: ignore[attr-defined]
    if revision is None:
        raise Http404
    actions.restore_revision(request.membership, revision)  # type: ignore[attr-defined]
    messages.success(request, _("Revision restored as a draft."))
    tr = revision.translation
    return redirect("helpcenter_admin:article", tr.article_id, tr.language)
