"""Every write of the help center. Views, the API, the importer, the workspace tool and the demo
loader call these; each runs in one transaction, keeps the search index in step, and audits
publishing and deletion."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent, Membership
from storedesk.commerce.models import Store
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.helpcenter import search_index
from storedesk.helpcenter.markdown import plain_text, render_markdown
from storedesk.helpcenter.models import (
    Article,
    ArticleRevision,
    ArticleTranslation,
    ArticleVote,
    Category,
    CategoryTranslation,
    HelpCenter,
    HelpImage,
    Visibility,
)

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def require_editor(membership: Membership) -> None:
    if not membership.is_admin:
        raise PermissionDenied("Only admins and owners can edit the help center.")


def account_languages(account: Account) -> list[str]:
    return list(account.languages or ["en"])


def check_language(help_center: HelpCenter, language: str) -> str:
    allowed = help_center.languages or account_languages(help_center.store.account)
    if language not in allowed:
        raise ActionError(f"Language {language!r} is not enabled for this help center.")
    return language


# --- Help centers and categories ------------------------------------------------------------


@transaction.atomic
def ensure_help_center(store: Store, *, slug: str = "", name: str = "") -> HelpCenter:
    """The store's help center, created on first use with a globally unique slug."""
    existing = HelpCenter.objects.filter(store=store).first()
    if existing is not None:
        return existing
    base = slugify(slug or store.slug)[:70] or "help"
    candidate, n = base, 1
    while HelpCenter.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    languages = account_languages(store.account)
    return HelpCenter.objects.create(
        account_id=store.account_id, store=store, slug=candidate, name=name or store.name,
        default_language=languages[0],
    )


@dataclass
class HelpCenterSettings:
    name: str
    default_language: str
    languages: list[str] = field(default_factory=list)
    is_public: bool = True
    primary_color: str = "#1f6feb"
    accent_color: str = "#0b3d91"
    contact_email: str = ""
    chat_url: str = ""


@transaction.atomic
def update_help_center(membership: Membership, help_center: HelpCenter,
                       values: HelpCenterSettings) -> HelpCenter:
    require_editor(membership)
    enabled = account_languages(help_center.store.account)
    languages = [lang for lang in values.languages if lang in enabled]
    if values.default_language not in (languages or enabled):
        raise ActionError("The default language must be one of the help center's languages.")
    for color in (values.primary_color, values.accent_color):
        if not COLOR.match(color):
            raise ActionError("Colours are #rrggbb.")
    if values.chat_url and not values.chat_url.startswith("https://"):
        raise ActionError("The chat link must be an https:// address.")
    help_center.name = values.name.strip()[:200] or help_center.store.name
    help_center.default_language = values.default_language
    help_center.languages = languages
    help_center.is_public = values.is_public
    help_center.primary_color = values.primary_color
    help_center.accent_color = values.accent_color
    help_center.contact_email = values.contact_email
    help_center.chat_url = values.chat_url
    help_center.save()
    audit("helpcenter.updated", account=help_center.account_id, actor=membership.agent,
          obj=help_center)
    return help_center


@transaction.atomic
def save_category(membership: Membership | None, help_center: HelpCenter, *, slug: str,
                  names: dict[str, str], descriptions: dict[str, str] | None = None,
                  position: int | None = None) -> Category:
    """Create or update a category (by slug) with its names per language."""
    if membership is not None:
        require_editor(membership)
    slug = slugify(slug)[:80]
    if not slug or not any(n.strip() for n in names.values()):
        raise ActionError("A category needs a slug and a name.")
    category, _ = Category.objects.get_or_create(
        help_center=help_center, slug=slug, defaults={"account_id": help_center.account_id})
    if position is not None and category.position != position:
        category.position = position
        category.save(update_fields=["position", "updated_at"])
    for language, name in names.items():
        if not name.strip():
            continue
        check_language(help_center, language)
        CategoryTranslation.objects.update_or_create(
            category=category, language=language,
            defaults={"account_id": help_center.account_id, "name": name.strip()[:200],
                      "description": (descriptions or {}).get(language, "")[:500]},
        )
    return category


# --- Articles -------------------------------------------------------------------------------


@dataclass
class ArticleInput:
    slug: str
    language: str
    title: str
    body: str
    summary: str = ""
    category: Category | None = None
    visibility: str = Visibility.PUBLIC
    tags: list[str] = field(default_factory=list)
    position: int | None = None


def clean_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(t for t in (slugify(x)[:40] for x in tags) if t))[:20]


@transaction.atomic
def save_article(membership: Membership | None, help_center: HelpCenter, values: ArticleInput,
                 *, article: Article | None = None, author: Agent | None = None,
                 allow_agents: bool = False) -> ArticleTranslation:
    """Create or update an article and the working copy of one translation (a revision each
    time). `membership=None` is the system (importer, demo). Agents may only create drafts when
    `allow_agents` (an article from a reply); everything else needs an admin."""
    if membership is not None:
        if not (allow_agents and not membership.is_light):
            require_editor(membership)
        author = author or membership.agent
    check_language(help_center, values.language)
    title = values.title.strip()[:200]
    if not title:
        raise ActionError("An article needs a title.")
    if values.visibility not in Visibility.values:
        raise ActionError("Visibility is public or internal.")
    if values.category is not None and values.category.help_center_id != help_center.pk:
        raise NotFound("Category not found.")
    if article is None:
        slug = slugify(values.slug or title)[:100] or "article"
        article = Article.objects.filter(help_center=help_center, slug=slug).first()
        if article is None:
            article = _create_article(help_center, slug)
    article.category = values.category
    article.visibility = values.visibility
    article.tags = clean_tags(values.tags)
    if values.position is not None:
        article.position = values.position
    article.save()
    translation = ArticleTranslation.objects.filter(article=article,
                                                    language=values.language).first()
    if translation is None:
        translation = ArticleTranslation(account_id=help_center.account_id, article=article,
                                         language=values.language)
    body = values.body.replace("\r\n", "\n").strip("\n").rstrip()
    changed = (translation.title, translation.summary, translation.body) != (
        title, values.summary.strip()[:300], body)
    translation.title = title
    translation.summary = values.summary.strip()[:300]
    translation.body = body
    translation.save()
    if changed:
        _revision(translation, author, published=False)
    if translation.is_published:
        # Visibility or tags may have changed: the index follows the published copy.
        search_index.index_translation(translation, plain_text(translation.published_body))
    return translation


def _create_article(help_center: HelpCenter, slug: str) -> Article:
    try:
        with transaction.atomic():
            return Article.objects.create(account_id=help_center.account_id,
                                          help_center=help_center, slug=slug)
    except IntegrityError:
        return Article.objects.get(help_center=help_center, slug=slug)


def _revision(translation: ArticleTranslation, author: Agent | None, *, published: bool) -> None:
    last = translation.revisions.order_by("-number").values_list("number", flat=True).first()
    ArticleRevision.objects.create(
        account_id=translation.account_id, translation=translation, number=(last or 0) + 1,
        title=translation.title, summary=translation.summary, body=translation.body,
        published=published, author=author,
    )


@transaction.atomic
def publish_translation(membership: Membership | None,
                        translation: ArticleTranslation) -> ArticleTranslation:
    if membership is not None:
        require_editor(membership)
    translation = ArticleTranslation.objects.select_for_update().get(pk=translation.pk)
    translation.published_title = translation.title
    translation.published_summary = translation.summary
    translation.published_body = translation.body
    translation.published_html = render_markdown(translation.body)
    translation.published_at = timezone.now()
    translation.is_published = True
    translation.save()
    agent = membership.agent if membership else None
    _revision(translation, agent, published=True)
    search_index.index_translation(translation, plain_text(translation.body))
    audit("helpcenter.article_published", account=translation.account_id, actor=agent,
          obj=translation, article=translation.article.slug, language=translation.language)
    return translation


@transaction.atomic
def unpublish_translation(membership: Membership,
                          translation: ArticleTranslation) -> ArticleTranslation:
    require_editor(membership)
    translation.is_published = False
    translation.save(update_fields=["is_published", "updated_at"])
    search_index.unindex_translation(translation.pk)
    audit("helpcenter.article_unpublished", account=translation.account_id,
          actor=membership.agent, obj=translation, article=translation.article.slug,
          language=translation.language)
    return translation


@transaction.atomic
def restore_revision(membership: Membership, revision: ArticleRevision) -> ArticleTranslation:
    require_editor(membership)
    translation = revision.translation
    translation.title, translation.summary, translation.body = (
        revision.title, revision.summary, revision.body)
    translation.save()
    _revision(translation, membership.agent, published=False)
    return translation


@transaction.atomic
def delete_article(membership: Membership, article: Article) -> None:
    require_editor(membership)
    for translation in article.translations.all():
        search_index.unindex_translation(translation.pk)
    audit("helpcenter.article_deleted", account=article.account_id, actor=membership.agent,
          obj=article, slug=article.slug)
    article.delete()


@transaction.atomic
def set_related(membership: Membership | None, article: Article, slugs: list[str]) -> None:
    if membership is not None:
        require_editor(membership)
    others = Article.objects.filter(help_center_id=article.help_center_id,
                                    slug__in=slugs).exclude(pk=article.pk)
    article.related.set(others)


# --- Shoppers: votes and views --------------------------------------------------------------


def voter_key(address: str, session_key: str) -> str:
    raw = f"{settings.SECRET_KEY}:{address}:{session_key}".encode()
    return hashlib.sha256(raw).hexdigest()


@transaction.atomic
def record_vote(article: Article, *, language: str, helpful: bool, comment: str,
                voter: str) -> ArticleVote:
    """One vote per visitor per article; voting again changes the vote (and the counters)."""
    comment = comment.strip()[:2000]
    vote = ArticleVote.objects.select_for_update().filter(article=article, voter=voter).first()
    if vote is not None:
        if vote.helpful != helpful:
            _count(article, vote.helpful, -1)
            _count(article, helpful, +1)
        vote.helpful = helpful
        vote.comment = comment or vote.comment
        vote.language = language
        vote.save()
        return vote
    vote = ArticleVote.objects.create(account_id=article.account_id, article=article,
                                      language=language, helpful=helpful, comment=comment,
                                      voter=voter)
    _count(article, helpful, +1)
    return vote


def _count(article: Article, helpful: bool, delta: int) -> None:
    name = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{name: F(name) + delta})


def record_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


# --- Images ---------------------------------------------------------------------------------


def image_path(key: str) -> Path:
    if not key.isalnum():
        raise NotFound("Image not found.")
    return Path(settings.MEDIA_ROOT) / "helpcenter" / key[:2] / key


def sniff_image(content: bytes) -> str:
    for magic, content_type in IMAGE_MAGIC:
        if content.startswith(magic):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    raise ActionError("Images must be PNG, JPEG, GIF or WebP.")


@transaction.atomic
def upload_image(membership: Membership, help_center: HelpCenter, *, filename: str,
                 content: bytes) -> HelpImage:
    require_editor(membership)
    if len(content) > IMAGE_MAX_BYTES:
        raise ActionError(f"Images may be at most {IMAGE_MAX_BYTES} bytes.")
    content_type = sniff_image(content)
    key = secrets.token_hex(16)
    image = HelpImage.objects.create(
        account_id=help_center.account_id, help_center=help_center, key=key,
        content_type=content_type, filename=Path(filename).name[:200] or "image",
        size=len(content),
    )
    path = image_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return image


@transaction.atomic
def set_logo(membership: Membership, help_center: HelpCenter, image: HelpImage | None) -> None:
    require_editor(membership)
    if image is not None and image.help_center_id != help_center.pk:
        raise NotFound("Image not found.")
    help_center.logo = image
    help_center.save(update_fields=["logo", "updated_at"])
