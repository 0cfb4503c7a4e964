"""Import and export of a help center as Markdown files with YAML front matter, so a store can
keep its help center in git.

Layout: `categories.yml` (slug, position, names and descriptions per language) and one folder
per language with one `<article-slug>.md` per translation:

    ---
    slug: returns-and-refunds
    title: Returns and refunds
    summary: How to send an item back and when the money arrives.
    category: returns
    visibility: public        # or internal (agents only)
    status: published         # or draft
    tags: [returns, refunds]
    related: [order-changes]
    position: 3
    ---
    Markdown body...

Import is idempotent: unchanged files write nothing (no revision, no re-publish). Bad files
are reported by name and nothing of that file is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from storedesk.core.errors import ActionError
from storedesk.helpcenter import actions
from storedesk.helpcenter.models import Article, ArticleTranslation, Category, HelpCenter
from storedesk.helpcenter.queries import languages_of

FRONT = "---"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    errors: list[str] = field(default_factory=list)


def parse(text: str) -> tuple[dict[str, Any], str]:
    """Split a file into (front matter, body); raises ActionError on malformed front matter."""
    text = text.lstrip("\ufeff")
    if not text.startswith(FRONT + "\n"):
        raise ActionError("the file must start with a --- front matter block")
    end = text.find("\n" + FRONT, len(FRONT))
    if end < 0:
        raise ActionError("the front matter block is not closed with ---")
    try:
        meta = yaml.safe_load(text[len(FRONT) + 1:end]) or {}
    except yaml.YAMLError as exc:
        raise ActionError(f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise ActionError("front matter must be a mapping")
    body = text[end + len(FRONT) + 1:]
    return meta, body.strip("\n").rstrip()


def render(meta: dict[str, Any], body: str) -> str:
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    return f"{FRONT}\n{head}\n{FRONT}\n\n{body.strip()}\n"


def export_help_center(help_center: HelpCenter, folder: Path) -> int:
    """Write every translation (its working copy, with its status). Returns the file count."""
    folder.mkdir(parents=True, exist_ok=True)
    categories = []
    for category in help_center.categories.order_by("position", "slug"):
        translations = category.translations.order_by("language")
        categories.append({
            "slug": category.slug, "position": category.position,
            "names": {t.language: t.name for t in translations},
            "descriptions": {t.language: t.description for t in translations if t.description},
        })
    (folder / "categories.yml").write_text(
        yaml.safe_dump(categories, allow_unicode=True, sort_keys=False), encoding="utf-8")
    count = 0
    articles = Article.objects.filter(help_center=help_center).select_related("category")
    for article in articles.order_by("position", "slug"):
        related = sorted(article.related.values_list("slug", flat=True))
        for tr in article.translations.order_by("language"):
            meta: dict[str, Any] = {
                "slug": article.slug, "title": tr.title, "summary": tr.summary,
                "category": article.category.slug if article.category else None,
                "visibility": article.visibility,
                "status": "published" if tr.is_published else "draft",
                "tags": list(article.tags), "related": related, "position": article.position,
            }
            path = folder / tr.language / f"{article.slug}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(meta, tr.body), encoding="utf-8")
            count += 1
    return count


def import_help_center(help_center: HelpCenter, folder: Path) -> ImportReport:
    report = ImportReport()
    if not folder.is_dir():
        raise ActionError(f"{folder} is not a folder.")
    categories_file = folder / "categories.yml"
    if categories_file.exists():
        _import_categories(help_center, categories_file, report)
    related: dict[str, list[str]] = {}
    languages = languages_of(help_center)
    for lang_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        if lang_dir.name not in languages:
            report.errors.append(f"{lang_dir.name}/: language not enabled, skipped")
            continue
        for path in sorted(lang_dir.glob("*.md")):
            name = f"{lang_dir.name}/{path.name}"
            try:
                with transaction.atomic():
                    slug, links = _import_file(help_center, lang_dir.name, path, report)
                related.setdefault(slug, [])
                related[slug] = sorted(set(related[slug]) | set(links))
            except (ActionError, UnicodeDecodeError) as exc:
                detail = exc.detail if isinstance(exc, ActionError) else "not UTF-8 text"
                report.errors.append(f"{name}: {detail}")
    for slug, links in related.items():
        article = Article.objects.filter(help_center=help_center, slug=slug).first()
        if article is None:
            continue
        current = sorted(article.related.values_list("slug", flat=True))
        wanted = sorted(s for s in links if s != slug)
        if current != wanted and wanted:
            actions.set_related(None, article, wanted)
    return report


def _import_categories(help_center: HelpCenter, path: Path, report: ImportReport) -> None:
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError:
        report.errors.append("categories.yml: not valid YAML")
        return
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        try:
            languages = languages_of(help_center)
            actions.save_category(
                None, help_center, slug=str(row.get("slug", "")),
                names={k: str(v) for k, v in (row.get("names") or {}).items() if k in languages},
                descriptions={k: str(v) for k, v in (row.get("descriptions") or {}).items()},
                position=int(row.get("position", 0)))
        except (ActionError, ValueError, TypeError) as exc:
            report.errors.append(f"categories.yml: {getattr(exc, 'detail', exc)}")


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ActionError(f"{what} must be a list")
    return [str(v) for v in value]


def _import_file(help_center: HelpCenter, language: str, path: Path,
                 report: ImportReport) -> tuple[str, list[str]]:
    meta, body = parse(path.read_text(encoding="utf-8"))
    slug = str(meta.get("slug") or path.stem)
    title = str(meta.get("title") or "").strip()
    if not title:
        raise ActionError("front matter needs a title")
    status = str(meta.get("status", "published"))
    if status not in ("published", "draft"):
        raise ActionError("status is published or draft")
    category = None
    if meta.get("category"):
        category = Category.objects.filter(help_center=help_center,
                                           slug=str(meta["category"])).first()
        if category is None:
            raise ActionError(f"unknown category {meta['category']!r}")
    before = (ArticleTranslation.objects.filter(article__help_center=help_center,
                                                article__slug=slug, language=language)
              .select_related("article").first())
    snapshot = _snapshot(before)
    translation = actions.save_article(None, help_center, actions.ArticleInput(
        slug=slug, language=language, title=title, body=body,
        summary=str(meta.get("summary") or ""), category=category,
        visibility=str(meta.get("visibility") or "public"),
        tags=_strings(meta.get("tags"), "tags"),
        position=int(meta["position"]) if meta.get("position") is not None else None))
    if status == "published" and translation.status != "published":
        actions.publish_translation(None, translation)
        report.published += 1
    elif status == "draft" and translation.is_published:
        translation.is_published = False
        translation.save(update_fields=["is_published", "updated_at"])
        from storedesk.helpcenter.search_index import unindex_translation

        unindex_translation(translation.pk)
    translation.refresh_from_db()
    if before is None:
        report.created += 1
    elif _snapshot(translation) != snapshot:
        report.updated += 1
    else:
        report.unchanged += 1
    return translation.article.slug, _strings(meta.get("related"), "related")


def _snapshot(tr: ArticleTranslation | None) -> tuple[Any, ...] | None:
    if tr is None:
        return None
    article = Article.objects.get(pk=tr.article_id)
    return (tr.title, tr.summary, tr.body, tr.is_published, article.visibility,
            tuple(article.tags), article.category_id, article.position)
