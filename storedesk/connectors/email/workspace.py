"""What the email channel adds to the agent workspace: the undeliverable line of a bounce."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from storedesk.events import EventKind
from storedesk.workspace.registry import RenderContext, timeline_renderers


def _undeliverable(event: Any, ctx: RenderContext) -> str:
    data = event.data or {}
    recipients = ", ".join(str(r) for r in data.get("recipients") or []) or _("the recipient")
    return _("Undeliverable: %(recipients)s (%(reason)s)") % {
        "recipients": recipients, "reason": data.get("reason", "")}


def register() -> None:
    timeline_renderers.register(EventKind.EMAIL_UNDELIVERABLE, _undeliverable)
