"""Event subscribers of the workflow (listed in config/subscribers.py).

Each runs on the worker in a transaction with its receipt (storedesk.events.dispatch), so a
repeat applies nothing twice.
"""

from __future__ import annotations

from storedesk.events.models import Event
from storedesk.workflow import sla


def sla_clock(event_id: int) -> None:
    """Start, pause, resume, meet or re-target the conversation's SLA clock."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None:
        return
    sla.on_event(event)


def route_conversation(event_id: int) -> None:
    """Auto-assignment: route a new (or newly unassigned, re-teamed, reopened) conversation;
    when one is resolved or set aside, its agent has room again for a waiting one."""
    from storedesk.accounts.actor import Actor
    from storedesk.events.kinds import EventKind
    from storedesk.inbox.models import Conversation, Status
    from storedesk.workflow import routing

    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None:
        return
    actor = Actor.rule().caused_by(event.pk)
    data = event.data or {}
    if event.kind == EventKind.CONVERSATION_STATUS_CHANGED and data.get("new") != Status.OPEN:
        assignee = (Conversation.objects.filter(pk=event.conversation_id)
                    .values_list("assignee_id", flat=True).first())
        if assignee is not None:
            routing.route_waiting(event.account_id, actor, membership_id=assignee)
        return
    if event.kind == EventKind.CONVERSATION_ASSIGNED and data.get("old_assignee") is not None \
            and data.get("new_assignee") is None:
        routing.route_waiting(event.account_id, actor, membership_id=data["old_assignee"])
    routing.route(event.conversation_id, actor)


def evaluate_rules(event_id: int) -> None:
    """Automation rules whose triggers include the event's kind (skipping rules' own events)."""
    from storedesk.workflow import rules

    rules.evaluate(event_id)


def escalate(event_id: int) -> None:
    """Start the escalation plans an event triggers (and run the steps due at once); stop the
    running ones when the conversation is resolved or closed."""
    from storedesk.workflow import escalation

    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None:
        return
    for escalation_id in escalation.on_event(event):
        while escalation.run_next_step(escalation_id, event.created_at):
            pass


def followups(event_id: int) -> None:
    """A customer's message cancels the replies scheduled with "cancel if the customer
    replies" and dismisses "only if no answer" reminders; a contact merge cancels the
    conversation's scheduled replies."""
    from storedesk.events.kinds import EventKind
    from storedesk.workflow import followups as timers

    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None:
        return
    if event.kind == EventKind.MESSAGE_RECEIVED:
        timers.on_customer_message(event)
    elif event.kind == EventKind.CONVERSATION_CONTACT_CHANGED:
        timers.on_contact_changed(event)
