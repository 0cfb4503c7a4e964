"""The workspace's line for `conversation.imported` (registered from ImportersConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from storedesk.workspace.registry import RenderContext, timeline_renderers

VENDORS = {
    "zendesk": "Zendesk", "freshdesk": "Freshdesk", "gorgias": "Gorgias",
    "helpscout": "Help Scout", "jsonl": "JSONL",
}


@timeline_renderers.register("conversation.imported")
def imported_line(event: Any, ctx: RenderContext) -> str:
    data = event.data or {}
    source = VENDORS.get(str(data.get("source")), str(data.get("source") or ""))
    return _("Imported from %(source)s (%(id)s)") % {
        "source": source, "id": data.get("external_id", "")}
