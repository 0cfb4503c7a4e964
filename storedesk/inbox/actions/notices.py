"""Proactive notices: a message the store starts (back in stock, a shipping delay), posted into
the shopper's conversation on its own channel whatever the conversation's status.

A reply (`send_reply`) answers a conversation the team is working on, so it refuses a closed
one. A notice is outbound on the store's initiative: it goes out through the same delivery row
and outbox as a reply (email through the outbox's SMTP, the widget thread, the API channel's
outbound webhook), but it leaves the conversation where the team put it — no status change, no
SLA clock (it is recorded as `message.notice_sent`, not `message.created`), no "waiting"
marker. When the shopper answers, the normal receive path decides: a resolved conversation
reopens, a closed one is followed by a new conversation.

A notice carries a key (e.g. `restock-<subscription id>`); the same key on the same
conversation is sent once, under retries and concurrent workers (the conversation row is
locked while the key is checked and the message written).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError
from storedesk.core.validation import check_text
from storedesk.events import EventKind
from storedesk.inbox.actions._shared import MAX_TEXT_CHARS, _save_with_count
from storedesk.inbox.actions.replies import _create_outgoing, _publish_message, _queue_delivery
from storedesk.inbox.events import record_event
from storedesk.inbox.models import Conversation, Delivery, DeliveryStatus, Message

MAX_KEY_CHARS = 100


@transaction.atomic
def send_notice(conversation: Conversation, actor: Actor, text: str, *, notice: str,
                key: str) -> tuple[Message, bool]:
    """(message, created): queue `text` to the shopper as a notice of kind `notice`
    (`back_in_stock`...). A second call with the same `key` returns the first message."""
    text = text.strip()
    if not text:
        raise ActionError("The notice is empty.")
    check_text("text", text)
    if len(text) > MAX_TEXT_CHARS:
        raise ActionError(f"The notice is longer than {MAX_TEXT_CHARS} characters.")
    key = key.strip()
    if not key or len(key) > MAX_KEY_CHARS:
        raise ActionError(f"A notice needs a key of 1 to {MAX_KEY_CHARS} characters.")
    if actor.type not in ("bot", "agent", "system"):
        raise ActionError("Only the store (the bot, an agent or the system) sends notices.")
    # The lock orders concurrent senders of the same notice: the second one finds the first
    # one's message once it may read.
    locked = Conversation.objects.select_for_update().get(
        pk=conversation.pk, account_id=conversation.account_id)
    sent = Message.objects.filter(conversation=locked, metadata__notice__key=key).first()
    if sent is not None:
        return sent, False
    message = _create_outgoing(
        locked, actor, text, None, (), private=False, status=DeliveryStatus.PENDING,
        metadata={"notice": {"kind": notice[:40], "key": key}},
    )
    delivery = Delivery.objects.create(account_id=locked.account_id, message=message,
                                       next_attempt_at=timezone.now())
    # Only the message time and count move: the status, waiting marker and first reply stay.
    locked.last_message_at = message.created_at
    _save_with_count(locked, ["last_message_at"])
    record_event(locked, EventKind.MESSAGE_NOTICE_SENT, actor, message_id=message.pk,
                 notice=notice[:40], status=locked.status)
    _queue_delivery(delivery)
    _publish_message(locked, message)
    return message, True
