"""The help center in the agent workspace: a reply-composer tool with article suggestions for
the open conversation, insert a link or an excerpt, and "create an article from this reply".

`suggestions_for(membership, conversation)` is the query; the tool's template loads the
suggestions partial (views_workspace.py) with HTMX, so opening a conversation never waits on
search. `register()` plugs the tool into the workspace's composer-tool registry when that
registry exists (storedesk.workspace.registry), from this app's AppConfig.ready().
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storedesk.helpcenter import search
from storedesk.helpcenter.models import HelpCenter

if TYPE_CHECKING:
    from storedesk.accounts.models import Membership
    from storedesk.inbox.models import Conversation

QUERY_CHARS = 600


def help_center_of(conversation: Conversation) -> HelpCenter | None:
    """The help center of the conversation's store, else the account's first one."""
    centers = HelpCenter.objects.filter(account_id=conversation.account_id).select_related(
        "store__account")
    if conversation.store_id:
        found = centers.filter(store_id=conversation.store_id).first()
        if found is not None:
            return found
    return centers.order_by("pk").first()


def conversation_language(help_center: HelpCenter, conversation: Conversation) -> str:
    from storedesk.helpcenter.queries import languages_of

    language = conversation.language or ""
    return language if language in languages_of(help_center) else help_center.default_language


def conversation_query(conversation: Conversation) -> str:
    """What the shopper asked: the subject and their latest messages."""
    texts = list(conversation.messages.filter(direction="incoming", private=False)
                 .order_by("-created_at").values_list("text", flat=True)[:3])
    text = " ".join([conversation.subject or "", *reversed(texts)])
    return text[-QUERY_CHARS:]


def suggestions_for(membership: Membership, conversation: Conversation, query: str = "",
                    limit: int = 5) -> tuple[HelpCenter | None, str, list[search.Hit]]:
    """(help center, language, hits) for a conversation the membership may see; internal
    articles are included (agents only)."""
    if conversation.account_id != membership.account_id:
        return None, "", []
    help_center = help_center_of(conversation)
    if help_center is None:
        return None, "", []
    language = conversation_language(help_center, conversation)
    text = query.strip() or conversation_query(conversation)
    if not text.strip():
        return help_center, language, []
    return help_center, language, search.search(help_center, language, text,
                                                include_internal=True, limit=limit)


def composer_tool_context(slot: Any) -> dict[str, Any] | None:
    if not HelpCenter.objects.filter(account_id=slot.membership.account_id).exists():
        return None
    return {}


def register() -> None:
    try:
        from storedesk.workspace.registry import ComposerTool, composer_tools
    except ImportError:  # the workspace's extension points are not there yet
        return
    from django.utils.translation import gettext_lazy as _

    if "helpcenter" not in composer_tools:
        composer_tools.register(ComposerTool(
            key="helpcenter", label=_("Help center"),
            template="helpcenter/workspace/_composer_tool.html",
            context=composer_tool_context, order=30,
        ))
