"""Conversation properties: status, assignment, priority, tags, read state.

`at` (optional, on every change): when the change happened, if earlier than now (history being
loaded). The timeline row and the times the change sets carry it; `updated_at` stays the time
the row was written. Checked by `check_original_time` (aware, not in the future).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership, Team
from storedesk.accounts.permissions import MESSAGES, Perm, may_move_to
from storedesk.core.errors import ActionError, PermissionDenied
from storedesk.core.oncommit import publish_on_commit
from storedesk.core.validation import (
    check_datetime,
    check_original_time,
    check_text,
    model_max_length,
)
from storedesk.events import EventKind
from storedesk.inbox.actions._shared import (
    TAG_RE,
    _locked,
    _publish_conversation,
)
from storedesk.inbox.events import conversation_payload, record_event
from storedesk.inbox.models import (
    PRIORITY_RANK,
    Conversation,
    Priority,
    Status,
    Tag,
)
from storedesk.inbox.queries import last_read_incoming
from storedesk.inbox.transitions import check_transition


@transaction.atomic
def change_status(
    conversation: Conversation,
    actor: Actor,
    status: str,
    *,
    snoozed_until: datetime | None = None,
    at: datetime | None = None,
) -> Conversation:
    check_datetime("snoozed_until", snoozed_until)
    check_original_time("at", at)
    conversation = _locked(conversation)
    check_transition(conversation.status, status)
    if status == Status.SNOOZED and (snoozed_until is None or snoozed_until <= timezone.now()):
        raise ActionError("Snoozing needs a time in the future.")
    previous = conversation.status
    conversation.status = status
    conversation.snoozed_until = snoozed_until if status == Status.SNOOZED else None
    if status in (Status.RESOLVED, Status.CLOSED):
        conversation.resolved_at = at or timezone.now()
        conversation.waiting_since = None
    conversation.save(
        update_fields=["status", "snoozed_until", "resolved_at", "waiting_since", "updated_at"]
    )
    record_event(
        conversation,
        EventKind.CONVERSATION_STATUS_CHANGED,
        actor,
        old=previous,
        new=status,
        snoozed_until=snoozed_until.isoformat() if snoozed_until else None,
        occurred_at=at,
    )
    _publish_conversation(conversation)
    return conversation


@transaction.atomic
def assign(
    conversation: Conversation,
    actor: Actor,
    *,
    assignee: Membership | None,
    team: Team | None = None,
    set_team: bool = False,
    at: datetime | None = None,
) -> Conversation:
    """Give the conversation to an agent (or nobody) and optionally to a team.

    The one permission check for every entry point: light agents only move conversations to
    themselves, their teammates or their teams (`accounts.permissions.may_move_to`).
    """
    check_original_time("at", at)
    conversation = _locked(conversation)
    # Only what changes is checked (a form re-sending the current team moves nothing).
    assignee_changes = (assignee.pk if assignee else None) != conversation.assignee_id
    team_changes = set_team and (team.pk if team else None) != conversation.team_id
    if not may_move_to(actor, assignee if assignee_changes else None, team,
                       set_team=team_changes):
        raise PermissionDenied(MESSAGES[Perm.MOVE_ANY_CONVERSATION])
    if assignee is not None and (
        assignee.account_id != conversation.account_id or not assignee.is_active
    ):
        raise ActionError("That agent is not an active member of this account.")
    if team is not None and team.account_id != conversation.account_id:
        raise ActionError("That team does not belong to this account.")
    old_assignee, old_team = conversation.assignee_id, conversation.team_id
    conversation.assignee = assignee
    if set_team:
        conversation.team = team
    if (old_assignee, old_team) == (conversation.assignee_id, conversation.team_id):
        return conversation
    conversation.save(update_fields=["assignee", "team", "updated_at"])
    record_event(
        conversation,
        EventKind.CONVERSATION_ASSIGNED,
        actor,
        old_assignee=old_assignee,
        new_assignee=conversation.assignee_id,
        old_team=old_team,
        new_team=conversation.team_id,
        occurred_at=at,
    )
    _publish_conversation(conversation)
    return conversation


@transaction.atomic
def set_priority(
    conversation: Conversation, actor: Actor, priority: str, *, at: datetime | None = None
) -> Conversation:
    check_original_time("at", at)
    if priority not in Priority.values:
        raise ActionError(f"Unknown priority {priority!r}.")
    conversation = _locked(conversation)
    if conversation.priority == priority:
        return conversation
    previous = conversation.priority
    conversation.priority = priority
    conversation.priority_rank = PRIORITY_RANK[Priority(priority)]
    conversation.save(update_fields=["priority", "priority_rank", "updated_at"])
    record_event(
        conversation, EventKind.CONVERSATION_PRIORITY_CHANGED, actor, old=previous, new=priority,
        occurred_at=at,
    )
    _publish_conversation(conversation)
    return conversation


@transaction.atomic
def tag(
    conversation: Conversation, actor: Actor, name: str, *, at: datetime | None = None
) -> Tag:
    check_original_time("at", at)
    name = name.strip().lower()
    if not TAG_RE.match(name):
        raise ActionError("A tag is 1-64 letters, digits, spaces or . : / - _")
    tag_row, _ = Tag.objects.get_or_create(account_id=conversation.account_id, name=name)
    if conversation.tags.filter(pk=tag_row.pk).exists():
        return tag_row
    conversation.tags.add(tag_row)
    record_event(conversation, EventKind.CONVERSATION_TAGGED, actor, tag=name, occurred_at=at)
    _publish_conversation(conversation, with_tags=True)
    return tag_row


@transaction.atomic
def untag(
    conversation: Conversation, actor: Actor, name: str, *, at: datetime | None = None
) -> None:
    check_original_time("at", at)
    name = check_text("tag", name.strip().lower(), model_max_length(Tag, "name"))
    tag_row = Tag.objects.filter(account_id=conversation.account_id, name=name).first()
    if tag_row is None or not conversation.tags.filter(pk=tag_row.pk).exists():
        return
    conversation.tags.remove(tag_row)
    record_event(conversation, EventKind.CONVERSATION_UNTAGGED, actor, tag=name,
                 occurred_at=at)
    _publish_conversation(conversation, with_tags=True)


@transaction.atomic
def mark_read(conversation: Conversation, actor: Actor) -> None:
    """Remember that this agent has seen the conversation up to now (unread indicators)."""
    from storedesk.inbox.models import ConversationRead

    if actor.agent_id is None:
        return
    ConversationRead.objects.update_or_create(
        conversation=conversation,
        agent_id=actor.agent_id,
        defaults={"last_read_at": timezone.now()},
    )
    # The shopper's side may show "Seen" (the chat widget follows its conversation): the
    # newest customer message this read covers.
    publish_on_commit(conversation.account_id, {
        "type": "conversation.read",
        "conversation": conversation_payload(conversation),
        "agent_id": actor.agent_id,
        "message_id": last_read_incoming(conversation.account_id, conversation.pk),
    })
