"""The public way for other apps (macros, rules, commerce...) to write a conversation's timeline.

Kinds about messages and conversation state belong to the inbox's own actions (they change the
rows they describe); other apps record their own kinds here, e.g. `macro.applied`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.events import record_event
from storedesk.inbox.models import Conversation

INBOX_OWNED_PREFIXES = ("message.", "note.", "conversation.")


@transaction.atomic
def add_timeline_event(
    conversation: Conversation, actor: Actor, kind: EventKind, **data: Any
) -> Event:
    """Write one event of another app's kind on the conversation's timeline."""
    kind = EventKind(kind)
    if kind.value.startswith(INBOX_OWNED_PREFIXES):
        raise ActionError(f"{kind.value} is written by the inbox action that makes the change.")
    return record_event(conversation, kind, actor, **data)
