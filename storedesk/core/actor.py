"""Who performs an action: an agent (through a membership), the assistant, the system, a shopper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storedesk.accounts.models import Membership


@dataclass(frozen=True)
class Actor:
    type: str  # "agent" | "bot" | "system" | "contact"
    membership: Membership | None = None

    @classmethod
    def agent(cls, membership: Membership) -> Actor:
        return cls("agent", membership)

    @property
    def agent_id(self) -> int | None:
        return self.membership.agent_id if self.membership else None


SYSTEM = Actor("system")
BOT = Actor("bot")
CONTACT = Actor("contact")
