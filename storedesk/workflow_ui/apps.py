"""Plugs the workflow into the apps that sit above it.

The workspace and commerce import the workflow (macros, macro variables), so the workflow
cannot import them back (no cycles between apps). This small app sits on top of all three and,
at start-up, registers the workflow's sidebar panels (SLA, follow-up, playbooks), composer tool
(send later), thread footer (scheduled replies) and timeline lines into the workspace,
commerce's "vip" customer segment (lifetime value) into the workflow's SLA and rule conditions,
and commerce's latest order of a shopper into rule conditions (order status and total).
"""

from __future__ import annotations

from django.apps import AppConfig

# The follow-up views (send later, scheduled replies, reminders) live here too: they render the
# workspace's composer and thread, which the workflow cannot import.


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
        _register_followups()


def _register_followups() -> None:
    """Send later (composer), scheduled replies (thread footer), reminders and playbooks
    (sidebar panels), the follow-up timeline lines."""
    from django.utils.translation import gettext_lazy as _

    from storedesk.events.kinds import EventKind
    from storedesk.workflow import panels_followups as f
    from storedesk.workspace.registry import (
        ComposerTool,
        SidebarPanel,
        ThreadFooter,
        composer_tools,
        sidebar_panels,
        thread_footers,
        timeline_renderers,
    )

    composer_tools.register(ComposerTool(
        key="send_later", label=_("Send later"), template="workflow/_send_later_tool.html",
        context=f.send_later_tool, order=60))
    thread_footers.register(ThreadFooter(
        key="scheduled_replies", template="workflow/_scheduled_footer.html",
        context=f.scheduled_footer, order=10))
    sidebar_panels.register(SidebarPanel(
        key="followup", label=_("Follow-up"), template="workflow/_followup_panel.html",
        context=f.followup_panel, order=16))
    sidebar_panels.register(SidebarPanel(
        key="playbooks", label=_("Playbooks"), template="workflow/_playbooks_panel.html",
        context=f.playbooks_panel, order=12))
    for kind, line in (
        (EventKind.FOLLOWUP_REPLY_SCHEDULED, f.reply_scheduled_line),
        (EventKind.FOLLOWUP_REPLY_EDITED, f.reply_edited_line),
        (EventKind.FOLLOWUP_REPLY_SENT, f.reply_sent_line),
        (EventKind.FOLLOWUP_REPLY_CANCELLED, f.reply_cancelled_line),
        (EventKind.FOLLOWUP_REMINDER_SET, f.reminder_set_line),
        (EventKind.FOLLOWUP_REMINDER_FIRED, f.reminder_fired_line),
        (EventKind.FOLLOWUP_REMINDER_CANCELLED, f.reminder_cancelled_line),
        (EventKind.FOLLOWUP_AUTO_RESOLVED, f.auto_resolved_line),
    ):
        timeline_renderers.register(kind.value, line)
    _register_articles()


def _register_articles() -> None:
    """Playbooks read internal articles through the help center's queries."""
    from storedesk.helpcenter import queries
    from storedesk.workflow.playbooks import ArticleSource, register_article_source

    register_article_source(ArticleSource(
        get=queries.internal_article_for, texts=queries.internal_article_texts,
        choices=lambda member: [(a.pk, f"{a.slug} ({a.help_center.name})")
                                for a in queries.internal_articles_for(member)]))
