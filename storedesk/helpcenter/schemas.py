"""API schemas of the help center (explicit fields)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class SearchHitOut(Schema):
    id: int = Field(description="Article id")
    slug: str
    language: str
    title: str
    snippet: str
    url: str
    internal: bool
    score: float


class SearchOut(Schema):
    query: str
    language: str
    results: list[SearchHitOut]


class TranslationOut(Schema):
    language: str
    title: str
    summary: str
    body: str
    status: str
    published_at: datetime | None
    updated_at: datetime


class ArticleOut(Schema):
    id: int
    help_center: int
    slug: str
    category: str | None
    visibility: str
    tags: list[str]
    related: list[str]
    helpful_yes: int
    helpful_no: int
    view_count: int
    translations: list[TranslationOut]


class ArticleIn(Schema):
    store: int
    slug: str = Field("", max_length=100)
    language: str = Field(max_length=8)
    title: str = Field(max_length=200)
    body: str = Field("", max_length=200_000)
    summary: str = Field("", max_length=300)
    category: str | None = Field(None, description="Category slug")
    visibility: str = "public"
    tags: list[str] = []
    related: list[str] | None = None
    publish: bool = False


class TranslationIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field("", max_length=200_000)
    summary: str = Field("", max_length=300)
    publish: bool = False


class ArticlePatch(Schema):
    category: str | None = None
    visibility: str | None = None
    tags: list[str] | None = None
    related: list[str] | None = None
