"""Shared by the workspace views: who is asking, a conversation or 404, the pane's contexts."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from storedesk.accounts.models import Membership, Team
from storedesk.core.errors import NotFound
from storedesk.inbox.models import Conversation, Priority, Status, Tag
from storedesk.inbox.queries import get_conversation_by_display_id
from storedesk.inbox.transitions import TRANSITIONS
from storedesk.workspace.snooze import PRESETS
from storedesk.workspace.timeline import thread_items


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def conversation_or_404(request: HttpRequest, display_id: int) -> Conversation:
    try:
        return get_conversation_by_display_id(membership_of(request), display_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


# Statuses the snooze presets are offered in: every one that may become snoozed (a snoozed
# conversation takes a new wake-up time).
SNOOZABLE = frozenset(s for s, targets in TRANSITIONS.items() if Status.SNOOZED in targets)


def controls_context(membership: Membership, conversation: Conversation) -> dict[str, Any]:
    """What the header controls offer: teammates, teams, tags, statuses, priorities."""
    members = list(
        Membership.objects.filter(account_id=membership.account_id, is_active=True)
        .select_related("agent")
        .order_by("agent__name", "agent__email")
    )
    return {
        "conversation": conversation,
        "me": membership,
        "members": members,
        "teams": list(Team.objects.filter(account_id=membership.account_id).order_by("name")),
        "conversation_tags": list(conversation.tags.order_by("name")),
        "account_tags": list(
            Tag.objects.filter(account_id=membership.account_id)
            .order_by("name")
            .values_list("name", flat=True)[:500]
        ),
        "status_choices": [
            (value, label)
            for value, label in Status.choices
            if value == conversation.status or value in TRANSITIONS[conversation.status]
        ],
        "priority_choices": Priority.choices,
        "can_resolve": Status.RESOLVED in TRANSITIONS[conversation.status],
        "snooze_presets": PRESETS if conversation.status in SNOOZABLE else [],
    }


def thread_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    from storedesk.workspace.slots import render_thread_footers

    return {
        "conversation": conversation,
        "thread": thread_items(membership_of(request), conversation),
        "thread_footers": render_thread_footers(request, conversation),
    }
