"""The assistant in the workspace: the sidebar panel (detected language and intent with the
bot's confidence, a suggested macro and help-center articles, "hand back to the bot", the
intent label agents set), the suggestion composer tool (suggest-only mode) and the timeline
lines of the assistant's event kinds. Registered from `AssistantConfig.ready()`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from storedesk.assistant import queries
from storedesk.workspace.registry import (
    ComposerTool,
    RenderContext,
    SidebarPanel,
    Slot,
    composer_tools,
    sidebar_panels,
    timeline_renderers,
)

LANGUAGE_NAMES = {
    "en": "English", "pl": "Polski", "tr": "Türkçe", "id": "Bahasa Indonesia", "th": "ไทย",
    "de": "Deutsch", "es": "Español", "fr": "Français", "pt": "Português", "it": "Italiano",
    "nl": "Nederlands",
}


def suggested_macro(conversation: Any) -> Any:
    """The macro agents use most on conversations with this intent (in its language, or one
    without a language, that one first); else the macro the intent model reads as this
    intent."""
    from storedesk.workflow.models import Macro

    if not conversation.intent:
        return None
    language = conversation.language
    # A macro in another language is no suggestion for this shopper (one without a language
    # fits any).
    macros = [m for m in Macro.objects.filter(account_id=conversation.account_id)
              .order_by("-usage_count", "name")[:200]
              if not language or m.language in ("", language)]
    if not macros:
        return None
    from collections import Counter

    from storedesk.events import EventKind
    from storedesk.events.models import Event

    applied = (Event.objects.filter(account_id=conversation.account_id,
                                    kind=EventKind.MACRO_APPLIED,
                                    conversation__intent=conversation.intent)
               .order_by("-pk").values_list("data", flat=True)[:500])
    used = Counter(int(d["macro_id"]) for d in applied
                   if isinstance(d, dict) and str(d.get("macro_id", "")).isdigit())

    def rank(macro: Any) -> tuple[int, int, int]:
        return (int(macro.language == language), int(used.get(macro.pk, 0)), macro.usage_count)

    by_use = [m for m in macros if used.get(m.pk)]
    if by_use:
        return max(by_use, key=rank)
    try:
        from storedesk.assistant import nlu

        model = nlu.shipped_model()
    except Exception:  # noqa: BLE001 - no model: no suggestion, never a broken panel
        return None
    matching = [m for m in macros if model.predict(f"{m.name}. {m.text}")[0] ==
                conversation.intent]
    return max(matching, key=rank) if matching else None


def panel_context(slot: Slot) -> dict[str, Any] | None:
    from storedesk.assistant.models import InboxAssistant, Mode

    conversation = slot.conversation
    mode = (InboxAssistant.objects.filter(inbox_id=conversation.inbox_id)
            .values_list("mode", flat=True).first()) or Mode.OFF
    state = queries.state_of(conversation)
    if mode == Mode.OFF and not conversation.intent and state is None:
        return None
    articles: list[Any] = []
    try:
        from storedesk.helpcenter.workspace import suggestions_for

        _center, _lang, articles = suggestions_for(slot.membership, conversation, limit=3)
    except Exception:  # noqa: BLE001 - search trouble must not break the conversation view
        articles = []
    from storedesk.assistant import nlu

    return {
        "mode": mode,
        "state": state,
        "language_name": LANGUAGE_NAMES.get(conversation.language, conversation.language),
        "confidence": round(100 * state.last_confidence) if state else None,
        "macro": suggested_macro(conversation),
        "articles": articles,
        "intents": nlu.INTENTS,
    }


def suggestion_context(slot: Slot) -> dict[str, Any] | None:
    suggestion = queries.pending_suggestion(slot.conversation)
    if suggestion is None:
        return None
    return {"suggestion": suggestion}


def _suggested(event: Any, ctx: RenderContext) -> str:
    return _("The assistant suggested a reply (%(intent)s)") % {
        "intent": (event.data or {}).get("intent", "")}


def _verified(event: Any, ctx: RenderContext) -> str:
    return _("The shopper proved order %(order)s to the assistant (email or postcode)") % {
        "order": f"#{(event.data or {}).get('order_number', '')}"}


def _request_filed(event: Any, ctx: RenderContext) -> str:
    data = event.data or {}
    return _("The assistant asked the team to act: %(requests)s") % {
        "requests": "; ".join(data.get("requests") or []) or data.get("intent", "")}


def _resumed(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s handed the conversation back to the assistant") % {"who": ctx.who}


def _restock(event: Any, ctx: RenderContext) -> str:
    return _("%(who)s subscribed the shopper to a back-in-stock notice for %(product)s") % {
        "who": ctx.who, "product": (event.data or {}).get("product", "")}


def register() -> None:
    from storedesk.events import EventKind

    sidebar_panels.register(SidebarPanel(
        key="assistant", label=gettext_lazy("Assistant"), template="assistant/_panel.html",
        context=panel_context, order=15,
    ))
    composer_tools.register(ComposerTool(
        key="assistant_suggestion", label=gettext_lazy("Suggested reply"),
        template="assistant/_suggestion_tool.html", context=suggestion_context, order=5,
    ))
    for kind, renderer in {
        EventKind.ASSISTANT_SUGGESTED: _suggested,
        EventKind.ASSISTANT_VERIFIED: _verified,
        EventKind.ASSISTANT_REQUEST_FILED: _request_filed,
        EventKind.ASSISTANT_RESUMED: _resumed,
        EventKind.PRODUCT_RESTOCK_SUBSCRIBED: _restock,
    }.items():
        timeline_renderers.register(kind, renderer)
