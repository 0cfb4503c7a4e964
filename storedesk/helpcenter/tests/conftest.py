"""Help-center fixtures: Harbor & Vine's help center with a few articles in five languages."""

from __future__ import annotations

import pytest

from storedesk.helpcenter.actions import (
    ArticleInput,
    ensure_help_center,
    publish_translation,
    save_article,
    save_category,
)
from storedesk.helpcenter.models import HelpCenter
from storedesk.testing.personas import Personas


def write(help_center: HelpCenter, slug: str, language: str, title: str, body: str, *,
          publish: bool = True, visibility: str = "public", tags: list[str] | None = None,
          category=None, summary: str = ""):
    translation = save_article(None, help_center, ArticleInput(
        slug=slug, language=language, title=title, body=body, summary=summary,
        visibility=visibility, tags=tags or [], category=category))
    if publish:
        translation = publish_translation(None, translation)
    return translation


@pytest.fixture
def harbor_help(personas: Personas) -> HelpCenter:
    return ensure_help_center(personas.harbor_store)


@pytest.fixture
def shipping(harbor_help: HelpCenter):
    return save_category(None, harbor_help, slug="shipping",
                         names={"en": "Shipping", "pl": "Wysyłka", "th": "การจัดส่ง"})
