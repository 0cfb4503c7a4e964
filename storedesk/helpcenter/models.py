"""The knowledge base: help centers (one per store), categories, articles and their translations.

An article is language-independent (slug, category, visibility, tags, related articles, votes);
its text lives in one ArticleTranslation per language. A translation keeps a working copy
(title, body) that editors save, and a published copy that the public sees: publishing copies the
working copy over, so editing a published article never changes the live page until it is
published again. Every save writes an ArticleRevision.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel


class HelpCenter(TenantModel):
    """The public help center of one store, at /help/<slug>/ (slug unique across accounts)."""

    store = models.OneToOneField("commerce.Store", on_delete=models.CASCADE,
                                 related_name="help_center")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    default_language = models.CharField(max_length=8, default="en")
    # Languages shown publicly; empty means every language the account enables.
    languages = models.JSONField(default=list, blank=True)
    is_public = models.BooleanField(default=True)
    primary_color = models.CharField(max_length=7, default="#1f6feb")
    accent_color = models.CharField(max_length=7, default="#0b3d91")
    logo = models.ForeignKey("HelpImage", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    contact_email = models.EmailField(blank=True)
    chat_url = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class Category(TenantModel):
    help_center = models.ForeignKey(HelpCenter, on_delete=models.CASCADE,
                                    related_name="categories")
    slug = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["help_center", "slug"], name="hc_category_slug"),
        ]


class CategoryTranslation(TenantModel):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["category", "language"], name="hc_category_lang"),
        ]


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (agents only)")


def helpfulness(yes: int, no: int) -> float:
    """Smoothed share of "yes" votes (0..1, 0.5 with no votes)."""
    return (yes + 1) / (yes + no + 2)


class Article(TenantModel):
    help_center = models.ForeignKey(HelpCenter, on_delete=models.CASCADE,
                                    related_name="articles")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="articles")
    slug = models.SlugField(max_length=120)
    visibility = models.CharField(max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    tags = models.JSONField(default=list, blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    position = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["help_center", "slug"], name="hc_article_slug"),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def helpfulness(self) -> float:
        return helpfulness(self.helpful_yes, self.helpful_no)


class ArticleTranslation(TenantModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    # The working copy editors save.
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)  # Markdown
    # The published copy the public sees (empty until first published).
    published_title = models.CharField(max_length=200, blank=True)
    published_summary = models.CharField(max_length=300, blank=True)
    published_body = models.TextField(blank=True)  # Markdown, as published
    published_html = models.TextField(blank=True)  # rendered + sanitised
    published_at = models.DateTimeField(null=True, blank=True)
    is_published = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["article", "language"], name="hc_translation_lang"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["account", "language", "is_published"], name="hc_tr_pub"),
        ]

    @property
    def status(self) -> str:
        if not self.is_published:
            return "draft"
        changed = (self.title, self.summary, self.body) != (
            self.published_title, self.published_summary, self.published_body)
        return "changed" if changed else "published"


class ArticleRevision(TenantModel):
    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE,
                                    related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    author = models.ForeignKey("accounts.Agent", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar = ["-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["translation", "number"], name="hc_revision_number"),
        ]


class ArticleVote(TenantModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    language = models.CharField(max_length=8)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    # A salted hash of the voter's address + session, to count one vote per visitor.
    voter = models.CharField(max_length=64)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["article", "voter"], name="hc_vote_once"),
        ]


class HelpImage(TenantModel):
    """An image uploaded for articles or the logo, stored under a server-generated key and
    served only as a raster image (PNG, JPEG, GIF, WebP; never SVG) with nosniff."""

    help_center = models.ForeignKey(HelpCenter, on_delete=models.CASCADE, related_name="images")
    key = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=32)
    filename = models.CharField(max_length=200)
    size = models.PositiveIntegerField()


class SearchDoc(TenantModel):
    """The searchable, normalised text of one published translation (one row each).

    Its index is relational and the same on both databases: one SearchPosting per distinct
    term, the document frequencies in SearchTerm and the document count in SearchScope (see
    search.py)."""

    translation = models.OneToOneField(ArticleTranslation, on_delete=models.CASCADE,
                                       related_name="search_doc")
    help_center = models.ForeignKey(HelpCenter, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    internal = models.BooleanField(default=False)
    title_terms = models.TextField()
    tag_terms = models.TextField(blank=True)
    body_terms = models.TextField()
    plain = models.TextField(blank=True)  # the published summary + body as plain text (snippets)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["help_center", "language"], name="hc_doc_scope"),
        ]


class SearchTerm(models.Model):
    """The vocabulary of a help center per language (typo correction, prefix expansion) with
    each term's document frequency per visibility: how many indexed public / internal
    translations contain it. Kept by search_index.index_translation / unindex_translation in the
    transaction that writes the postings; a term whose frequencies fell to 0 stays (it has no
    postings and is never offered)."""

    help_center = models.ForeignKey(HelpCenter, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    term = models.CharField(max_length=64)
    first = models.CharField(max_length=1)
    # Plain integers: the index writer adds signed deltas in one upsert (see search.py).
    df_public = models.IntegerField(default=0)
    df_internal = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["help_center", "language", "term"],
                                    name="hc_term_unique"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["help_center", "language", "first"], name="hc_term_first"),
        ]

    def __str__(self) -> str:
        return self.term


class SearchScope(models.Model):
    """How many translations are indexed per help center, language and visibility (the N of
    the idf). Every index write locks its scope row first, which also orders the writers."""

    help_center = models.ForeignKey(HelpCenter, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    internal = models.BooleanField()
    docs = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["help_center", "language", "internal"],
                                    name="hc_scope_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.language} {'internal' if self.internal else 'public'}: {self.docs}"


class SearchPosting(models.Model):
    """One term of one indexed translation with its precomputed BM25F weight (thousandths of
    8 x title tf + 4 x tags tf + length-normalised body tf). The (term, internal, weight desc)
    index gives each term's best documents first: the bounded candidate scan reads only the
    head of each list."""

    doc = models.ForeignKey(SearchDoc, on_delete=models.CASCADE, related_name="+",
                            db_index=False)
    term = models.ForeignKey(SearchTerm, on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    internal = models.BooleanField()
    weight = models.PositiveIntegerField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["doc", "term"], name="hc_posting_doc_term"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["term", "internal", "-weight", "doc"], name="hc_posting_impact"),
        ]

    def __str__(self) -> str:
        return f"{self.term_id}@{self.doc_id}: {self.weight}"
