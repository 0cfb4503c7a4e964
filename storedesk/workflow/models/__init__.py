"""Workflow rows: macros, business hours, SLA policies and clocks, routing, automation rules,
follow-ups (scheduled replies, reminders, auto-resolve) and playbooks."""

from storedesk.workflow.models.escalation import (
    Escalation,
    EscalationPlan,
    EscalationStepRun,
    EscalationTrigger,
)
from storedesk.workflow.models.followups import (
    CancelReason,
    FollowUpSettings,
    Reminder,
    ReminderOutcome,
    ScheduledReply,
    ScheduledStatus,
)
from storedesk.workflow.models.hours import BusinessHours, WorkflowSetup
from storedesk.workflow.models.macros import Macro
from storedesk.workflow.models.playbooks import Playbook
from storedesk.workflow.models.routing import AgentProfile, AssignmentPool, Availability, Strategy
from storedesk.workflow.models.rules import AutomationRule, RuleFiring, RuleTick
from storedesk.workflow.models.sla import SlaBreach, SlaClock, SlaPolicy, SlaTarget

__all__ = [
    "CancelReason",
    "FollowUpSettings",
    "Playbook",
    "Reminder",
    "ReminderOutcome",
    "ScheduledReply",
    "ScheduledStatus",
    "AgentProfile",
    "AssignmentPool",
    "AutomationRule",
    "Availability",
    "Strategy",
    "BusinessHours",
    "Escalation",
    "EscalationPlan",
    "EscalationStepRun",
    "EscalationTrigger",
    "Macro",
    "RuleFiring",
    "RuleTick",
    "SlaBreach",
    "SlaClock",
    "SlaPolicy",
    "SlaTarget",
    "WorkflowSetup",
]
