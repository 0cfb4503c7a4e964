"""Who performs an action, and which event (if any) caused it.

Actor types: an agent (through a membership), a contact (the shopper), the bot (assistant), a
rule (automation), the system. An actor may carry `cause_event_id`: every event written under
that actor records it as its `cause`, so a subscriber that reacts to event X writes its own
events "caused by X" (and rules or the assistant can skip events they caused themselves).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storedesk.accounts.models import Membership


class ActorType(StrEnum):
    AGENT = "agent"
    CONTACT = "contact"
    BOT = "bot"
    RULE = "rule"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    type: str  # an ActorType value
    membership: Membership | None = None
    cause_event_id: int | None = None

    @classmethod
    def agent(cls, membership: Membership) -> Actor:
        return cls(ActorType.AGENT, membership)

    @classmethod
    def rule(cls, *, cause_event_id: int | None = None) -> Actor:
        return cls(ActorType.RULE, cause_event_id=cause_event_id)

    def caused_by(self, event_id: int | None) -> Actor:
        """The same actor, acting because of event `event_id` (a subscriber's reaction)."""
        return dataclasses.replace(self, cause_event_id=event_id)

    @property
    def agent_id(self) -> int | None:
        return self.membership.agent_id if self.membership else None


SYSTEM = Actor(ActorType.SYSTEM)
BOT = Actor(ActorType.BOT)
CONTACT = Actor(ActorType.CONTACT)
RULE = Actor(ActorType.RULE)
