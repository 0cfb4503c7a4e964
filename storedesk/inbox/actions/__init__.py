"""Every write to inboxes, conversations and messages. Views, the API, connectors and tasks
call these; nothing else saves these rows.

Each action runs in one transaction, writes a timeline row (or an audit row), and defers its
side effects (realtime pushes, task enqueues) to after commit. The modules:

- inbound.py        receive_message, the one inbound entry point
- batch.py          receive_messages: many inbound messages in one transaction (bulk writes)
- history.py        import_history: conversations from another helpdesk, in bulk (historic)
- replies.py        send_reply (with undo-send), cancel_reply, add_note, retry_delivery
- notices.py        send_notice: a proactive notice, on any conversation status, sent once per key
- outcomes.py       record_delivery_outcome (the outbox settled a reply's delivery)
- conversations.py  change_status, assign, set_priority, tag, untag, mark_read
- receipts.py       record_receipt: a provider's delivered / read / failed receipt
- triage.py         set_language, set_intent, hand_off (what the assistant and rules set)
- timeline.py       add_timeline_event: other apps' kinds (macro.applied...) on the timeline
- contacts.py       move_conversations: the inbox side of a contact merge
- setup.py          inboxes and tags from the settings pages
"""

from storedesk.inbox.actions._shared import MAX_TEXT_CHARS, TAG_RE
from storedesk.inbox.actions.batch import receive_messages
from storedesk.inbox.actions.contacts import move_conversations
from storedesk.inbox.actions.conversations import (
    assign,
    change_status,
    mark_read,
    set_priority,
    tag,
    untag,
)
from storedesk.inbox.actions.history import (
    ImportedHistory,
    PastConversation,
    PastMessage,
    import_history,
)
from storedesk.inbox.actions.inbound import (
    InboundMessage,
    Received,
    next_display_id,
    receive_message,
)
from storedesk.inbox.actions.notices import send_notice
from storedesk.inbox.actions.outcomes import record_delivery_outcome
from storedesk.inbox.actions.receipts import record_receipt
from storedesk.inbox.actions.replies import (
    MENTION_RE,
    add_note,
    cancel_reply,
    retry_delivery,
    send_reply,
)
from storedesk.inbox.actions.setup import (
    create_inbox,
    create_tag,
    deactivate_inbox,
    delete_tag,
    replace_inbox_config,
    reseal_inbox_secret,
    rotate_inbox_secret,
    update_inbox,
    update_tag,
)
from storedesk.inbox.actions.timeline import add_timeline_event
from storedesk.inbox.actions.triage import hand_off, set_intent, set_language

__all__ = [
    "MAX_TEXT_CHARS",
    "MENTION_RE",
    "TAG_RE",
    "ImportedHistory",
    "InboundMessage",
    "PastConversation",
    "PastMessage",
    "Received",
    "add_note",
    "add_timeline_event",
    "assign",
    "cancel_reply",
    "change_status",
    "create_inbox",
    "create_tag",
    "deactivate_inbox",
    "delete_tag",
    "hand_off",
    "import_history",
    "mark_read",
    "move_conversations",
    "next_display_id",
    "receive_message",
    "receive_messages",
    "record_delivery_outcome",
    "record_receipt",
    "replace_inbox_config",
    "reseal_inbox_secret",
    "rotate_inbox_secret",
    "retry_delivery",
    "send_notice",
    "send_reply",
    "set_intent",
    "set_language",
    "set_priority",
    "tag",
    "untag",
    "update_inbox",
    "update_tag",
]
