"""Plugs the workflow into the apps that sit above it.

The workspace and commerce import the workflow (macros, macro variables), so the workflow
cannot import them back (no cycles between apps). This small app sits on top of all three and,
at start-up, registers the workflow's sidebar panel and timeline lines into the workspace and
commerce's "vip" customer segment (lifetime value) into the workflow's SLA and rule conditions,
and commerce's latest order of a shopper into rule conditions (order status and total).
"""

from __future__ import annotations

from django.apps import AppConfig


class WorkflowUiConfig(AppConfig):
    name = "storedesk.workflow_ui"
    label = "workflow_ui"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from storedesk.workflow import panels
        from storedesk.workflow.orders import register_order_reader
        from storedesk.workflow.segments import register_segment
        from storedesk.workflow_ui import orders
        from storedesk.workflow_ui.segments import is_vip
        from storedesk.workspace.registry import SidebarPanel, sidebar_panels, timeline_renderers

        sidebar_panels.register(SidebarPanel(
            key="sla", label=_("SLA"), template="workflow/_sla_panel.html",
            context=panels.sla_panel, order=15))
        timeline_renderers.register("sla.breached", panels.breached_line)
        timeline_renderers.register("rule.fired", panels.rule_fired_line)
        timeline_renderers.register("escalation.step", panels.escalation_line)
        timeline_renderers.register("sla.about_to_breach", panels.about_to_breach_line)
        timeline_renderers.register("rule.scheduled", panels.scheduled_line)
        timeline_renderers.register("rule.webhook_called", panels.webhook_called_line)
        register_segment("vip", _("VIP (lifetime value)"), is_vip)
        register_order_reader(orders.latest_order, orders.STATUSES)
