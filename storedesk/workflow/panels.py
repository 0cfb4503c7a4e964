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
    """The running clocks (time left / overdue), the breaches and the escalation plans run on
    the conversation; None when there is nothing of these."""
    from storedesk.workflow.escalation import escalations_of

    view = sla.clock_view(slot.conversation, timezone.now())
    escalations = escalations_of(slot.conversation)
    if view is None and not escalations:
        return None
    return {"sla": view, "escalations": escalations}


def _target_label(target: str) -> str:
    try:
        return str(SlaTarget(target).label)
    except ValueError:
        return target


def breached_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    return _("SLA breached: %(target)s (%(policy)s)") % {
        "target": _target_label(str(data.get("target", ""))), "policy": data.get("policy", "")}


def escalation_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    return _("Escalation “%(plan)s”, step %(step)s of %(of)s") % {
        "plan": data.get("plan", ""), "step": data.get("step", ""), "of": data.get("of", "")}


def rule_fired_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    return _("Rule “%(rule)s” ran") % {"rule": data.get("rule", "")}


def about_to_breach_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    return _("SLA about to breach: %(target)s, due in %(minutes)s min or less") % {
        "target": _target_label(str(data.get("target", ""))),
        "minutes": data.get("lead_minutes", "")}


def scheduled_line(event: Any, ctx: Any) -> str:
    return _("A scheduled rule looked at this conversation")


def webhook_called_line(event: Any, ctx: Any) -> str:
    data = event.data or {}
    return _("A rule called the webhook %(url)s") % {"url": data.get("url", "")}
