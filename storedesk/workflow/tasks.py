"""Workflow tasks: the minute sweeps that record SLA breaches and run escalation steps."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.workflow import escalation, sla


@db_periodic_task(crontab(minute="*"))
def mark_sla_breaches() -> int:
    """Record every target that passed its due time (each clock in its own transaction; a
    clock marked already, by a handler or another worker, adds nothing)."""
    now = timezone.now()
    total = 0
    while True:
        ids = sla.overdue_clock_ids(now)
        for clock_id in ids:
            total += sla.mark_breaches(clock_id, now)
        if len(ids) < sla.SWEEP_BATCH:
            return total


@db_periodic_task(crontab(minute="*"))
def run_escalations() -> int:
    """Run the escalation steps that are due (each once, in order)."""
    return escalation.run_due(timezone.now())


@db_task()
def reapply_sla_policies(account_id: int) -> int:
    """After an admin changed the policies: re-pick the policy of open conversations."""
    return sla.reapply_policies(account_id)
