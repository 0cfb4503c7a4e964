"""The workspace's own panels and tools, registered like any other app's (from apps.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from storedesk.workspace.registry import (
    ComposerTool,
    SidebarPanel,
    Slot,
    composer_tools,
    sidebar_panels,
)

SUGGESTED_MACROS = 3


def contact_panel(slot: Slot) -> dict[str, Any]:
    from storedesk.workspace.views_contacts import sidebar_context

    context = sidebar_context(slot.membership, slot.contact, current=slot.conversation)
    context["in_workspace"] = True
    return context


def macros_tool(slot: Slot) -> dict[str, Any]:
    """The macro picker: the conversation's language first, then the most used, then by name."""
    from storedesk.core.folding import fold
    from storedesk.workflow.models import Macro

    language = (slot.conversation.language or "").split("-")[0].lower()
    macros = list(
        Macro.objects.filter(account_id=slot.membership.account_id)
        .only("pk", "name", "text", "language", "usage_count")[:500]
    )

    def rank(macro: Macro) -> tuple[int, int, str]:
        own = (macro.language or "").split("-")[0].lower()
        return (0 if language and own == language else 1 if not own else 2,
                -macro.usage_count, macro.name.lower())

    macros.sort(key=rank)
    listed = [
        {"pk": m.pk, "name": m.name, "language": m.language, "snippet": m.text[:90],
         "search": fold(f"{m.name} {m.text[:300]}"),
         "preferred": bool(language) and (m.language or "").split("-")[0].lower() == language}
        for m in macros
    ]
    # One click inserts one of the first few (the conversation's language, then most used):
    # the common answer takes a click instead of opening the picker and choosing.
    return {"macros": listed, "suggested": listed[:SUGGESTED_MACROS]}


def register() -> None:
    sidebar_panels.register(SidebarPanel(
        key="contact", label=_("Customer"), template="contacts/_sidebar.html",
        context=contact_panel, order=10,
    ))
    composer_tools.register(ComposerTool(
        key="macros", label=_("Macros"), template="workspace/_tool_macros.html",
        context=macros_tool, order=10,
    ))
