"""Workflow rows: macros, business hours, SLA policies and clocks, routing, automation rules."""

from storedesk.workflow.models.hours import BusinessHours, WorkflowSetup
from storedesk.workflow.models.macros import Macro
from storedesk.workflow.models.sla import SlaBreach, SlaClock, SlaPolicy, SlaTarget

__all__ = [
    "BusinessHours",
    "Macro",
    "SlaBreach",
    "SlaClock",
    "SlaPolicy",
    "SlaTarget",
    "WorkflowSetup",
]
