"""Conversations follow their contact: the inbox side of a contact merge."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.contacts.models import Contact
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.inbox.actions._shared import _publish_conversation
from storedesk.inbox.events import record_event
from storedesk.inbox.models import Conversation, Message


@transaction.atomic
def move_conversations(source: Contact, target: Contact, actor: Actor) -> list[int]:
    """Give all of `source`'s conversations and messages to `target` (same account).

    Each moved conversation gets a `conversation.contact_changed` timeline row; a merge passes
    an actor caused by its `contact.merged` event, so the rows point back at the merge.
    Returns the moved conversation ids.
    """
    if source.account_id != target.account_id:
        raise ActionError("Contacts from different accounts cannot share conversations.")
    if source.pk == target.pk:
        return []
    conversations = list(
        Conversation.objects.select_for_update()
        .filter(account_id=source.account_id, contact_id=source.pk)
        .order_by("pk")
    )
    moved = [c.pk for c in conversations]
    Conversation.objects.filter(pk__in=moved).update(contact_id=target.pk,
                                                     updated_at=timezone.now())
    Message.objects.filter(account_id=source.account_id, sender_contact_id=source.pk).update(
        sender_contact_id=target.pk
    )
    for conversation in conversations:
        conversation.contact_id = target.pk
        record_event(conversation, EventKind.CONVERSATION_CONTACT_CHANGED, actor,
                     old_contact=source.pk, new_contact=target.pk)
        _publish_conversation(conversation)
    return moved
