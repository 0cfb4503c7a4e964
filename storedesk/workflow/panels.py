"""The workflow in the conversation view: the "SLA" sidebar panel and timeline lines.

Plain functions; `storedesk.workflow_ui` registers them into the workspace (the workspace
imports the workflow for macros, so the workflow cannot import the workspace back).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from storedesk.workflow import sla
from storedesk.workflow.models import SlaTarget


def sla_panel(slot: Any) -> dict[str, Any] | None:
    """The running clocks (time left / overdue) and the breaches; None without a policy."""
    view = sla.clock_view(slot.conversation, timezone.now())
    if view is None:
        return None
    return {"sla": view}


def _target_label(target: str) -> str:
    try:
        return str(SlaTarget(target).label)
    except ValueError:
        return target


def breached_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    return _("SLA breached: %(target)s (%(policy)s)") % {
        "target": _target_label(str(data.get("target", ""))), "policy": data.get("policy", "")}


def rule_fired_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    return _("Rule “%(rule)s” ran") % {"rule": data.get("rule", "")}
