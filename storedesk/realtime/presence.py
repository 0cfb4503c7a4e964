"""Presence: "Olivia is viewing / typing" so two agents do not answer the same shopper.

Presence lives only in the channel layer, never in process memory or the database:

* an agent's socket announces {"type": "presence", "conversation_id", "state"} by a group
  message of type "storedesk.presence" to the account group, carrying the conversation's
  team_id/assignee_id so every receiving socket applies the light-agent rule without a query;
* sockets already viewing that conversation answer the newcomer directly (layer.send to the
  sender's channel, marked `reply` so replies are never answered), so a late arrival learns
  who is there;
* a socket that closes announces "left" for what it was viewing; browsers repeat "viewing"
  every 30 s so a UI can expire presence left behind by a crashed server.

With channels_redis this works across any number of server processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

STATES = ("viewing", "typing", "left")
LAYER_TYPE = "storedesk.presence"

# Per socket: at most BURST presence messages per WINDOW seconds; the rest are dropped.
BURST = 30
WINDOW_SECONDS = 10.0


@dataclass(frozen=True)
class PresenceRequest:
    conversation_id: int
    state: str


def parse_request(content: Any) -> PresenceRequest | None:
    """A well-formed presence message from a browser, or None (ignored silently)."""
    if not isinstance(content, dict) or content.get("type") != "presence":
        return None
    conversation_id = content.get("conversation_id")
    state = content.get("state")
    if isinstance(conversation_id, bool) or not isinstance(conversation_id, int):
        return None
    if conversation_id <= 0 or state not in STATES:
        return None
    return PresenceRequest(conversation_id=conversation_id, state=state)


def layer_message(
    *,
    sender: str,
    conversation: dict[str, Any],
    agent: dict[str, Any],
    state: str,
    reply: bool = False,
) -> dict[str, Any]:
    """The channel-layer message a socket sends to the account group (or one channel)."""
    return {
        "type": LAYER_TYPE,
        "sender": sender,
        "conversation": {
            "id": conversation["id"],
            "team_id": conversation.get("team_id"),
            "assignee_id": conversation.get("assignee_id"),
        },
        "agent": agent,
        "state": state,
        "reply": reply,
    }


def browser_event(message: dict[str, Any]) -> dict[str, Any]:
    """What a browser receives for a presence layer message."""
    return {
        "type": "presence",
        "conversation_id": message["conversation"]["id"],
        "agent": message["agent"],
        "state": message["state"],
    }


@dataclass
class RateLimit:
    """A fixed-window counter owned by one socket (not shared, not module-level)."""

    burst: int = BURST
    window: float = WINDOW_SECONDS
    started: float = field(default_factory=time.monotonic)
    count: int = 0

    def allow(self) -> bool:
        now = time.monotonic()
        if now - self.started >= self.window:
            self.started, self.count = now, 0
        self.count += 1
        return self.count <= self.burst


# --- "is anyone answering?" -------------------------------------------------------------------
# The chat widget says "we're away" when no agent of the account has had the workspace open
# recently. Agent sockets mark their account in the shared cache (Redis at scale) on connect
# and on their frames (the browser's heartbeat every 30 s), at most every MARK_EVERY seconds.

ONLINE_TTL_SECONDS = 90
MARK_EVERY_SECONDS = 20.0


def _online_key(account_id: int) -> str:
    return f"realtime:agents-online:{account_id}"


def _seat_key(membership_id: int) -> str:
    return f"realtime:seat-online:{membership_id}"


async def mark_agent_online(account_id: int, membership_id: int | None = None) -> None:
    from asgiref.sync import sync_to_async
    from django.core.cache import cache

    marks = {_online_key(account_id): 1}
    if membership_id is not None:  # this agent's workspace is open (routing's presence)
        marks[_seat_key(membership_id)] = 1
    # not cache.aset: that would queue behind every socket's database calls in their one thread
    await sync_to_async(cache.set_many, thread_sensitive=False)(marks, ONLINE_TTL_SECONDS)


def seats_online(membership_ids: list[int]) -> set[int]:
    """Which of these agents had a workspace socket open within ONLINE_TTL_SECONDS."""
    from django.core.cache import cache

    found = cache.get_many([_seat_key(m) for m in membership_ids])
    return {m for m in membership_ids if _seat_key(m) in found}


def agents_online(account_id: int) -> bool:
    from django.core.cache import cache

    return cache.get(_online_key(account_id)) is not None


def conversation_group(conversation_id: int) -> str:
    """Who follows one conversation from outside the workspace (the shopper's chat widget)."""
    return f"conversation-{conversation_id}"


CONVERSATION_PRESENCE = "storedesk.agent_presence"
