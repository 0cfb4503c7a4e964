"""Who is on the other end of an agent socket, and which events they may receive.

All functions here are synchronous (ORM); consumers call them through database_sync_to_async.
The rules mirror the HTTP side: the account is the session's "account_id" when the agent has
an active seat there, else their first active seat (CurrentMembershipMiddleware); a light agent
sees only conversations of their teams or assigned to them (inbox.queries.visible_conversations).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.backends.base import SessionBase

from storedesk.accounts.models import Membership
from storedesk.inbox.queries import visible_conversations

# Close codes (4000-4999 are free for applications; the browser client treats them as final).
NOT_SIGNED_IN = 4401
NO_SEAT = 4403

# How long a socket trusts what it loaded about its agent (role, teams, session) before reading
# it again. Bounds how late a removed team member or a signed-out session stops receiving.
REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class Viewer:
    """The signed-in agent's seat as seen by one socket (a snapshot, refreshed periodically)."""

    membership: Membership
    team_ids: frozenset[int]
    loaded_at: float = field(default_factory=time.monotonic)

    @property
    def membership_id(self) -> int:
        return self.membership.pk

    @property
    def account_id(self) -> int:
        return self.membership.account_id

    @property
    def agent_id(self) -> int:
        return self.membership.agent_id

    @property
    def is_light(self) -> bool:
        return self.membership.is_light

    def is_stale(self) -> bool:
        return time.monotonic() - self.loaded_at >= REFRESH_SECONDS

    def agent_card(self) -> dict[str, Any]:
        """How other agents see this one in presence events."""
        return {"id": self.membership_id, "name": self.membership.agent.display_name}


@dataclass(frozen=True)
class Refusal:
    code: int


def resolve_viewer(session: SessionBase) -> Viewer | Refusal:
    """The agent behind a session and the seat they work in, or why the socket is refused."""
    user = auth.get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
    if not user.is_authenticated or not user.is_active:
        return Refusal(NOT_SIGNED_IN)
    seats = Membership.objects.select_related("agent").filter(agent_id=user.pk, is_active=True)
    wanted = _int_or_none(session.get("account_id"))
    seat = seats.filter(account_id=wanted).first() if wanted is not None else None
    seat = seat or seats.order_by("pk").first()
    if seat is None:
        return Refusal(NO_SEAT)
    team_ids = frozenset(seat.teams.values_list("pk", flat=True))
    return Viewer(membership=seat, team_ids=team_ids)


def reload_viewer(session_key: str | None) -> Viewer | Refusal:
    """resolve_viewer on a freshly loaded session (logout or expiry ends the socket)."""
    if not session_key:
        return Refusal(NOT_SIGNED_IN)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return resolve_viewer(store(session_key))


def can_see(viewer: Viewer, conversation: dict[str, Any]) -> bool:
    """The light-agent rule applied to a conversation payload (team_id, assignee_id)."""
    if not viewer.is_light:
        return True
    if conversation.get("assignee_id") == viewer.membership_id:
        return True
    team_id = conversation.get("team_id")
    return team_id is not None and team_id in viewer.team_ids


def may_receive(viewer: Viewer, event: dict[str, Any]) -> bool:
    """Whether a published account event may be forwarded to this agent.

    Events naming a `membership_id` (mention.created) go to that seat only; events carrying a
    `conversation` payload follow the conversation visibility rule; the rest (contact.updated)
    carry no conversation data and go to every agent of the account.
    """
    target = event.get("membership_id")
    if target is not None and target != viewer.membership_id:
        return False
    conversation = event.get("conversation")
    if conversation is not None:
        return isinstance(conversation, dict) and can_see(viewer, conversation)
    return True


def conversation_scope(viewer: Viewer, conversation_id: int) -> dict[str, Any] | None:
    """{id, team_id, assignee_id} of a conversation this agent may see, else None."""
    row = (
        visible_conversations(viewer.membership)
        .filter(pk=conversation_id)
        .values("id", "team_id", "assignee_id")
        .first()
    )
    return dict(row) if row is not None else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
