"""Playbooks: an internal help-center article (a procedure) linked to intents and tags, shown
on the conversations that match (the "Playbooks" sidebar panel).

A playbook matches a conversation whose intent (set by the assistant or a rule) is one of its
intents, or that carries one of its tags. Articles are read through the help center's queries
(`internal_article_for`, `internal_article_texts`, `internal_articles_for`), which
`storedesk.workflow_ui` plugs in here at start-up (the help center sits above the workflow:
it imports the workspace, which imports the workflow). Only agents-only articles can be
linked, and the public help center and its search never show them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Membership
from storedesk.accounts.permissions import Perm, require
from storedesk.core.errors import ActionError
from storedesk.core.lookup import get_or_404
from storedesk.core.validation import check_text
from storedesk.inbox.models import Conversation
from storedesk.workflow.models import Playbook

SLUG_RE = re.compile(r"^[\w.:-]{1,64}$")
MAX_KEYS = 20
PANEL_LIMIT = 5


@dataclass(frozen=True)
class ArticleSource:
    """How playbooks read internal articles (the help center's queries)."""

    # The agents-only article of the membership's account, or raises NotFound.
    get: Callable[[Membership, int], Any]
    # {article id: its published translation (published_title, published_summary,
    # published_html, language)} in the language, or the nearest one.
    texts: Callable[[Membership, list[int], str], dict[int, Any]]
    # [(article id, label)] for the settings page.
    choices: Callable[[Membership], list[tuple[int, str]]]


class _Sources:
    articles: ArticleSource | None = None


def register_article_source(source: ArticleSource) -> None:
    _Sources.articles = source


def _articles() -> ArticleSource:
    if _Sources.articles is None:
        raise ActionError("No help center is installed.")
    return _Sources.articles


def article_choices(membership: Membership) -> list[tuple[int, str]]:
    return _articles().choices(membership)


@dataclass(frozen=True)
class PlaybookSpec:
    name: str
    article_id: int
    intents: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    position: int = 0
    is_active: bool = True


def playbooks_of(membership: Membership) -> QuerySet[Playbook]:
    return (Playbook.objects.filter(account_id=membership.account_id)
            .select_related("article").order_by("position", "name", "pk"))


def get_playbook(membership: Membership, pk: int) -> Playbook:
    return get_or_404(playbooks_of(membership), "Playbook", pk=pk)


def _keys(values: list[str], label: str) -> list[str]:
    cleaned: list[str] = []
    for raw in values or []:
        value = str(raw).strip().lower()
        if not value:
            continue
        if not SLUG_RE.match(value):
            raise ActionError(f"{label} {value[:40]!r}: letters, digits, _ . : - only "
                              "(up to 64).")
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_KEYS:
        raise ActionError(f"At most {MAX_KEYS} {label.lower()}s.")
    return cleaned


def _clean(membership: Membership, spec: PlaybookSpec) -> dict[str, Any]:
    name = check_text("name", (spec.name or "").strip(), 120)
    if not name:
        raise ActionError(gettext_noop("A playbook needs a name."))
    article = _articles().get(membership, spec.article_id)  # 404 unless agents-only
    intents, tags = _keys(spec.intents, "Intent"), _keys(spec.tags, "Tag")
    if not intents and not tags:
        raise ActionError(gettext_noop("Link the article to at least one intent or tag."))
    if not 0 <= spec.position <= 10_000:
        raise ActionError(gettext_noop("The position is between 0 and 10000."))
    return {"name": name, "article": article, "intents": intents, "tags": tags,
            "position": spec.position, "is_active": spec.is_active}


def _save(playbook: Playbook) -> None:
    try:
        with transaction.atomic():
            playbook.save()
    except IntegrityError as exc:
        raise ActionError(gettext_noop("There is already a playbook with that name.")) from exc


@transaction.atomic
def create_playbook(membership: Membership, spec: PlaybookSpec) -> Playbook:
    require(membership, Perm.MANAGE_SETTINGS)
    playbook = Playbook(account_id=membership.account_id, **_clean(membership, spec))
    _save(playbook)
    audit("playbook.created", account=membership.account_id, actor=membership.agent,
          obj=playbook, name=playbook.name)
    return playbook


@transaction.atomic
def update_playbook(playbook: Playbook, membership: Membership, spec: PlaybookSpec) -> Playbook:
    require(membership, Perm.MANAGE_SETTINGS)
    for name, value in _clean(membership, spec).items():
        setattr(playbook, name, value)
    _save(playbook)
    audit("playbook.updated", account=membership.account_id, actor=membership.agent,
          obj=playbook, name=playbook.name)
    return playbook


@transaction.atomic
def delete_playbook(playbook: Playbook, membership: Membership) -> None:
    require(membership, Perm.MANAGE_SETTINGS)
    audit("playbook.deleted", account=membership.account_id, actor=membership.agent,
          obj=playbook, name=playbook.name)
    playbook.delete()


def matching(membership: Membership, conversation: Conversation) -> list[dict[str, Any]]:
    """The active playbooks matching the conversation's intent or tags, each with its
    article's published text in the conversation's language (or the nearest one)."""
    intent = (conversation.intent or "").lower()
    tags = {t.lower() for t in conversation.tags.values_list("name", flat=True)}
    if not intent and not tags:
        return []
    found = []
    for playbook in playbooks_of(membership).filter(is_active=True):
        by_intent = bool(intent) and intent in playbook.intents
        by_tags = sorted(tags.intersection(playbook.tags))
        if by_intent or by_tags:
            found.append((playbook, by_intent, by_tags))
        if len(found) >= PANEL_LIMIT:
            break
    texts = _articles().texts(membership, [p.article_id for p, _i, _t in found],
                              conversation.language or "")
    out = []
    for playbook, by_intent, by_tags in found:
        translation = texts.get(playbook.article_id)
        if translation is None:
            continue  # nothing published yet
        out.append({"playbook": playbook, "title": translation.published_title,
                    "summary": translation.published_summary,
                    "html": translation.published_html, "language": translation.language,
                    "intent": intent if by_intent else "", "tags": by_tags})
    return out
