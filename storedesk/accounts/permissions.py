"""What each role may do: one named permission per operation, checked in ONE place for the API
and the workspace alike.

Actions call `require(actor, ...)` (so every entry point — API, views, bulk, tasks — gets the
same answer); views and templates call `has_perm` to hide what a role cannot do. A refusal is
`PermissionDenied` (403 in the API; the views show the message or a 404 for admin pages).

Light agents also only see their teams' conversations (`inbox.queries.visible_conversations`);
moving a conversation is limited to their own teams and teammates (`may_move_to`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from storedesk.accounts.models import Membership, Role
from storedesk.core.errors import PermissionDenied

if TYPE_CHECKING:
    from storedesk.accounts.models import Team


class Perm(StrEnum):
    WORK_CONVERSATIONS = "conversations.work"  # reply, note, status, priority, tags, retry
    MOVE_ANY_CONVERSATION = "conversations.move_any"  # assign to anyone, any team
    EDIT_CONTACTS = "contacts.edit"
    MERGE_CONTACTS = "contacts.merge"
    MANAGE_SETTINGS = "settings.manage"  # agents, teams, inboxes, macros, tags, account
    MANAGE_INTEGRATIONS = "integrations.manage"  # integration keys, inbound events


_AGENT = {
    Perm.WORK_CONVERSATIONS,
    Perm.MOVE_ANY_CONVERSATION,
    Perm.EDIT_CONTACTS,
    Perm.MERGE_CONTACTS,
}
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.ADMIN: frozenset(Perm),
    Role.AGENT: frozenset(_AGENT),
    # Light agents work their teams' conversations; merging contacts would move conversations
    # they cannot see, so they do not merge.
    Role.LIGHT_AGENT: frozenset({Perm.WORK_CONVERSATIONS, Perm.EDIT_CONTACTS}),
}

MESSAGES = {
    Perm.WORK_CONVERSATIONS: "Your role cannot work on conversations.",
    Perm.MOVE_ANY_CONVERSATION: "Your role can only move conversations within your teams.",
    Perm.EDIT_CONTACTS: "Your role cannot edit contacts.",
    Perm.MERGE_CONTACTS: "Light agents cannot merge contacts.",
    Perm.MANAGE_SETTINGS: "Only admins and owners change the settings.",
    Perm.MANAGE_INTEGRATIONS: "Only admins and owners manage integrations.",
}


def _membership(who: Any) -> Membership | None:
    """A Membership, or an Actor's membership (None for the system, the bot, a shopper)."""
    if isinstance(who, Membership):
        return who
    return getattr(who, "membership", None)


def has_perm(who: Any, perm: Perm) -> bool:
    """Whether a membership (or an agent Actor) holds `perm`. Non-agent actors (system, bot,
    rules, shoppers) act on the product's behalf and are not limited by roles."""
    membership = _membership(who)
    if membership is None:
        return getattr(who, "type", None) != "agent"
    return perm in ROLE_PERMISSIONS.get(membership.role, frozenset())


def require(who: Any, perm: Perm) -> None:
    if not has_perm(who, perm):
        raise PermissionDenied(MESSAGES[perm])


def may_move_to(
    who: Any, assignee: Membership | None, team: Team | None, *, set_team: bool = False
) -> bool:
    """Whether `who` may hand a conversation to `assignee` (None = nobody) and, with `set_team`,
    to `team` (None = no team).

    Roles with MOVE_ANY_CONVERSATION may; a light agent only to herself, nobody, a teammate in
    one of her teams, and only to one of her teams (not to "no team").
    """
    if has_perm(who, Perm.MOVE_ANY_CONVERSATION):
        return True
    membership = _membership(who)
    if membership is None:
        return False
    own_teams = set(membership.teams.values_list("pk", flat=True))
    if set_team and (team is None or team.pk not in own_teams):
        return False
    if assignee is None or assignee.pk == membership.pk:
        return True
    return assignee.teams.filter(pk__in=own_teams).exists()
