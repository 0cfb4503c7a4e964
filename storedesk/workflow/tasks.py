"""Workflow tasks: the minute sweeps that record SLA breaches, run escalation steps,
follow-ups (scheduled replies, reminders, auto-resolve) and timed rule triggers, and follow
agents' presence."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.workflow import escalation, presence, rules_timed, sla


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


@db_periodic_task(crontab(minute="*"))
def run_followups() -> dict[str, int]:
    """Scheduled replies that are due, reminders that are due, auto-resolve (each once)."""
    from storedesk.workflow import followups

    now = timezone.now()
    return {"sent": followups.send_due_replies(now),
            "reminded": followups.fire_due_reminders(now),
            "resolved": followups.auto_resolve_due(now)}


@db_task()
def send_scheduled_reply(scheduled_id: int) -> bool:
    """Enqueued for the reply's time when it is scheduled; the minute sweep is the safety net."""
    from storedesk.workflow import followups

    return followups.send_due_reply(scheduled_id, timezone.now())


@db_task()
def fire_reminder(reminder_id: int) -> bool:
    from storedesk.workflow import followups

    return followups.fire_due_reminder(reminder_id, timezone.now())


@db_periodic_task(crontab(minute="*"))
def run_timed_rules() -> int:
    """"SLA about to breach" and "scheduled time" rule triggers (each hit once)."""
    return rules_timed.run(timezone.now())


@db_periodic_task(crontab(minute="*"))
def follow_presence() -> int:
    """Agents of presence-following pools go away when their workspace is closed (and their
    conversations to others), and come back online when it is open again."""
    return presence.sync(timezone.now())
