"""The catalog of domain event kinds: the dotted strings stored in `Event.kind`.

One list for the whole project, so a subscriber table, a webhook subscription or a timeline
renderer can only name kinds that exist. An app adds its own kinds here with its app prefix
(`order.refunded`, `sla.breached`, `rule.fired`...); this module imports nothing.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    # Messages
    MESSAGE_RECEIVED = "message.received"
    MESSAGE_CREATED = "message.created"  # an agent/bot reply written, pending delivery
    NOTE_ADDED = "note.added"
    MESSAGE_SENT = "message.sent"
    MESSAGE_FAILED = "message.failed"
    MESSAGE_DELIVERED = "message.delivered"
    MESSAGE_READ = "message.read"
    MESSAGE_RETRIED = "message.retried"
    # A proactive notice (back in stock...) queued to the shopper, whatever the status
    # (data: message_id, notice, status); not a reply, so no SLA clock reacts to it.
    MESSAGE_NOTICE_SENT = "message.notice_sent"
    # Conversations
    CONVERSATION_OPENED = "conversation.opened"
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_STATUS_CHANGED = "conversation.status_changed"
    CONVERSATION_PRIORITY_CHANGED = "conversation.priority_changed"
    CONVERSATION_TAGGED = "conversation.tagged"
    CONVERSATION_UNTAGGED = "conversation.untagged"
    CONVERSATION_LANGUAGE_SET = "conversation.language_set"
    CONVERSATION_INTENT_SET = "conversation.intent_set"
    CONVERSATION_HANDED_OFF = "conversation.handed_off"
    CONVERSATION_CONTACT_CHANGED = "conversation.contact_changed"  # moved by a contact merge
    # brought in from another helpdesk with its messages (historic: never dispatched)
    CONVERSATION_IMPORTED = "conversation.imported"
    # Email (connectors/email): a bounce said a recipient cannot be reached
    EMAIL_UNDELIVERABLE = "email.undeliverable"
    # Workflow
    MACRO_APPLIED = "macro.applied"
    SLA_BREACHED = "sla.breached"  # data: target, policy, due_at
    RULE_FIRED = "rule.fired"  # data: rule_id, rule, actions
    # timed rule triggers, each written for one rule (data: rule_id) by the worker's sweep
    SLA_ABOUT_TO_BREACH = "sla.about_to_breach"  # data: rule_id, target, due_at, lead_minutes
    RULE_SCHEDULED = "rule.scheduled"  # data: rule_id, tick
    RULE_WEBHOOK_CALLED = "rule.webhook_called"  # data: subscription_id, url (a rule's call)
    ESCALATION_STEP = "escalation.step"  # data: plan, step, of, type, ok, did|error
    # Follow-ups (workflow/followups.py); data carries scheduled_id or reminder_id
    FOLLOWUP_REPLY_SCHEDULED = "followup.reply_scheduled"  # data: send_at, cancel_if_replied
    FOLLOWUP_REPLY_EDITED = "followup.reply_edited"  # data: send_at
    FOLLOWUP_REPLY_SENT = "followup.reply_sent"  # data: message_id
    FOLLOWUP_REPLY_CANCELLED = "followup.reply_cancelled"  # data: reason, error
    FOLLOWUP_REMINDER_SET = "followup.reminder_set"  # data: due_at, only_if_no_reply, for
    FOLLOWUP_REMINDER_FIRED = "followup.reminder_fired"  # data: outcome, for, reopened
    FOLLOWUP_REMINDER_CANCELLED = "followup.reminder_cancelled"  # data: for
    FOLLOWUP_AUTO_RESOLVED = "followup.auto_resolved"  # data: days, closing_message_id
    # Contacts
    CONTACT_MERGED = "contact.merged"
    # Commerce (order actions; data carries order_id and order_number)
    ORDER_REFUNDED = "order.refunded"
    ORDER_REFUND_REQUESTED = "order.refund_requested"  # above the limit, waiting for approval
    ORDER_REFUND_APPROVED = "order.refund_approved"
    ORDER_REFUND_REJECTED = "order.refund_rejected"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_ADDRESS_CHANGED = "order.address_changed"
    ORDER_LINES_EDITED = "order.lines_edited"  # data: changes, difference, currency
    ORDER_REPLACED = "order.replaced"
    ORDER_DISCOUNT_GIVEN = "order.discount_given"
    RETURN_CREATED = "return.created"
    PRODUCT_RESTOCK_SUBSCRIBED = "product.restock_subscribed"  # a back-in-stock notice asked
    # A product's sync took it, or some of its variants, from no stock to some (data:
    # product_id, product, store_id, product_back: the product as a whole, variant_ids: those
    # variants)
    PRODUCT_BACK_IN_STOCK = "product.back_in_stock"
    # Assistant (storedesk/assistant): what the bot did besides messages, notes and triage
    ASSISTANT_SUGGESTED = "assistant.suggested"  # suggest-only mode: a reply for an agent
    ASSISTANT_VERIFIED = "assistant.verified"  # the shopper proved an order in the chat
    ASSISTANT_REQUEST_FILED = "assistant.request_filed"  # asked the team to act on an order
    ASSISTANT_RESUMED = "assistant.resumed"  # an agent handed the conversation back


# Kinds shown in a conversation's thread as a message bubble rather than an activity line.
# (message.sent shows as the bubble's delivery status; message.failed gets an activity line.)
MESSAGE_KINDS = frozenset({
    EventKind.MESSAGE_RECEIVED, EventKind.MESSAGE_CREATED, EventKind.NOTE_ADDED,
    EventKind.MESSAGE_SENT,
})
