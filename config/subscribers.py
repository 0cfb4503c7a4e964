"""The one dispatch table: event kind -> the subscribers (dotted paths) that react to it.

A subscriber is `def handler(event_id: int) -> None`, run on the worker as its own task after the
event's transaction commits, inside a transaction with its receipt (so it applies once even when
run twice). Writes it makes should use an actor `.caused_by(event_id)`. Kinds are the strings of
`storedesk.events.kinds.EventKind`; `manage.py check` verifies every kind and path.
"""

from __future__ import annotations

from storedesk.events.kinds import EventKind

# Outbound store webhooks may subscribe to any kind; the handler finds nothing to do (one
# indexed query) for accounts without a subscription that wants the kind.
WEBHOOKS = "storedesk.webhooks.subscriber.on_event"

SUBSCRIBERS: dict[str, list[str]] = {kind.value: [WEBHOOKS] for kind in EventKind}

# The assistant answers shoppers (storedesk/assistant/subscriber.py); it skips what it caused.
SUBSCRIBERS[EventKind.MESSAGE_RECEIVED.value].append(
    "storedesk.assistant.subscriber.on_message_received")
SUBSCRIBERS[EventKind.CONVERSATION_STATUS_CHANGED.value].append(
    "storedesk.assistant.subscriber.on_status_changed")
# ... and tells the shoppers waiting for a product that it is back in stock.
SUBSCRIBERS[EventKind.PRODUCT_BACK_IN_STOCK.value].append(
    "storedesk.assistant.subscriber.on_product_back_in_stock")
# Workflow (storedesk/workflow): SLA clocks follow the conversation.
SLA_CLOCK = "storedesk.workflow.subscribers.sla_clock"
for _kind in (
    EventKind.CONVERSATION_OPENED, EventKind.MESSAGE_RECEIVED, EventKind.MESSAGE_CREATED,
    EventKind.CONVERSATION_STATUS_CHANGED, EventKind.CONVERSATION_PRIORITY_CHANGED,
    EventKind.CONVERSATION_TAGGED, EventKind.CONVERSATION_UNTAGGED,
    EventKind.CONVERSATION_ASSIGNED,
):
    SUBSCRIBERS[_kind.value].append(SLA_CLOCK)

# Workflow: auto-assignment (routing pools) reacts to new, re-teamed, unassigned, reopened and
# resolved conversations.
ROUTE = "storedesk.workflow.subscribers.route_conversation"
for _kind in (
    EventKind.CONVERSATION_OPENED, EventKind.CONVERSATION_ASSIGNED,
    EventKind.CONVERSATION_LANGUAGE_SET, EventKind.CONVERSATION_STATUS_CHANGED,
):
    SUBSCRIBERS[_kind.value].append(ROUTE)

# Workflow: automation rules react to their triggers' kinds (workflow/rules.py TRIGGERS).
RULES = "storedesk.workflow.subscribers.evaluate_rules"
for _kind in (
    EventKind.CONVERSATION_OPENED, EventKind.MESSAGE_RECEIVED,
    EventKind.CONVERSATION_STATUS_CHANGED, EventKind.CONVERSATION_LANGUAGE_SET,
    EventKind.CONVERSATION_INTENT_SET, EventKind.SLA_BREACHED,
    EventKind.SLA_ABOUT_TO_BREACH, EventKind.RULE_SCHEDULED,
    *(k for k in EventKind if k.value.startswith(("order.", "return."))),
):
    SUBSCRIBERS[_kind.value].append(RULES)

# Workflow: escalation plans start on breaches, tags and intents, and stop on resolve.
ESCALATE = "storedesk.workflow.subscribers.escalate"
for _kind in (
    EventKind.SLA_BREACHED, EventKind.CONVERSATION_TAGGED, EventKind.CONVERSATION_INTENT_SET,
    EventKind.CONVERSATION_STATUS_CHANGED,
):
    SUBSCRIBERS[_kind.value].append(ESCALATE)

# Workflow: follow-ups. A customer's message cancels replies scheduled "cancel if the customer
# replies" and dismisses "only if no answer" reminders; a contact merge cancels scheduled replies.
FOLLOWUPS = "storedesk.workflow.subscribers.followups"
for _kind in (EventKind.MESSAGE_RECEIVED, EventKind.CONVERSATION_CONTACT_CHANGED):
    SUBSCRIBERS[_kind.value].append(FOLLOWUPS)
