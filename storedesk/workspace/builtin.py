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


def contact_panel(slot: Slot) -> dict[str, Any]:
    from storedesk.workspace.views_contacts import sidebar_context

    context = sidebar_context(slot.membership, slot.contact, current=slot.conversation)
    context["in_workspace"] = True
    return context


def macros_tool(slot: Slot) -> dict[str, Any]:
    from storedesk.workflow.models import Macro

    macros = Macro.objects.filter(account_id=slot.membership.account_id).order_by("name")
    return {"macros": list(macros.only("pk", "name"))}


def register() -> None:
    sidebar_panels.register(SidebarPanel(
        key="contact", label=_("Customer"), template="contacts/_sidebar.html",
        context=contact_panel, order=10,
    ))
    composer_tools.register(ComposerTool(
        key="macros", label=_("Macros"), template="workspace/_tool_macros.html",
        context=macros_tool, order=10,
    ))
