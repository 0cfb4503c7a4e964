"""The agents' websocket: account events filtered per agent, plus presence.

Every server process runs these consumers; they share nothing but the channel layer (in-memory
in the embedded profile, Redis when REDIS_URL is set), so any process can publish to any socket.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from storedesk.realtime import presence
from storedesk.realtime.access import (
    NOT_SIGNED_IN,
    Refusal,
    Viewer,
    can_see,
    conversation_scope,
    may_receive,
    reload_viewer,
    resolve_viewer,
)
from storedesk.realtime.publish import account_group, agent_group

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 2048  # browsers only send small presence messages


class AgentConsumer(AsyncJsonWebsocketConsumer):
    """`ws/agent/`: one signed-in agent's browser tab."""

    viewer: Viewer | None = None
    marked_at: float = 0.0
    group: str | None = None
    personal_group: str | None = None

    async def connect(self) -> None:
        self.viewer = None
        self.group = None
        self.viewing: dict[str, Any] | None = None  # conversation scope being viewed
        self.scopes: dict[int, dict[str, Any] | None] = {}  # conversation id -> scope, per viewer
        self.limit = presence.RateLimit()
        session = self.scope.get("session")
        user = self.scope.get("user")
        if session is None or user is None or not user.is_authenticated:
            await self._refuse(NOT_SIGNED_IN)
            return
        resolved = await database_sync_to_async(resolve_viewer)(session)
        if isinstance(resolved, Refusal):
            await self._refuse(resolved.code)
            return
        await self._join(resolved)
        # Sign-out, deactivation and seat changes of this agent reach the socket here.
        self.personal_group = agent_group(resolved.agent_id)
        await self.channel_layer.group_add(self.personal_group, self.channel_name)
        await self.accept()
        await self._mark_online(force=True)
        # The browser counts the socket as open only from here (a refused socket is accepted
        # too, then closed with 4401/4403 before any frame).
        await self.send_json(
            {"type": "ready", "account_id": resolved.account_id, "agent": resolved.agent_card()}
        )

    async def _refuse(self, code: int) -> None:
        """Accept, then close with an application code the browser can read.

        A handshake refused before accept reaches the browser as a bare 1006 (HTTP 403), and
        socket.js would keep retrying; 4401/4403 tell it to stop. Nothing is sent before the
        close. (Foreign origins are refused at the handshake by SameOriginValidator.)
        """
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.viewing is not None:
            await self._announce(self.viewing, "left")
            self.viewing = None
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        if self.personal_group is not None:
            await self.channel_layer.group_discard(self.personal_group, self.channel_name)
            self.personal_group = None

    # --- browser -> server ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self._mark_online()
        request = presence.parse_request(content)
        if request is None or not self.limit.allow():
            return
        viewer = await self._current_viewer()
        if viewer is None:
            return
        scope = await self._scope_of(viewer, request.conversation_id)
        if scope is None:
            return  # not a conversation this agent may see: say nothing about it
        if request.state == "left":
            if self.viewing is not None and self.viewing["id"] == scope["id"]:
                self.viewing = None
            await self._announce(scope, "left")
            return
        if self.viewing is not None and self.viewing["id"] != scope["id"]:
            await self._announce(self.viewing, "left")
        self.viewing = scope
        await self._announce(scope, request.state)

    # --- channel layer -> browser ---------------------------------------------------------

    async def storedesk_event(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if not isinstance(event, dict):
            return
        # Private notes are re-checked against the session before they leave the server, so
        # one can never reach a signed-out agent even if the recheck message was lost.
        viewer = await self._current_viewer(force=_is_private(event))
        if viewer is not None and may_receive(viewer, event):
            await self.send_json(event)

    async def storedesk_events(self, message: dict[str, Any]) -> None:
        """Several events in one layer message (publish.EVENTS): each as if it came alone."""
        events = message.get("events")
        if not isinstance(events, list):
            return
        for event in events:
            await self.storedesk_event({"event": event})

    async def storedesk_recheck(self, message: dict[str, Any]) -> None:
        """The agent signed out, was deactivated or changed seat: re-read the session now."""
        await self._current_viewer(force=True)

    async def storedesk_presence(self, message: dict[str, Any]) -> None:
        if message.get("sender") == self.channel_name:
            return
        viewer = await self._current_viewer()
        if viewer is None or message.get("agent", {}).get("id") == viewer.membership_id:
            return  # the agent's own presence (also from their other tabs) is not news
        conversation = message.get("conversation") or {}
        if not can_see(viewer, conversation):
            return
        await self.send_json(presence.browser_event(message))
        newcomer = message.get("state") in ("viewing", "typing") and not message.get("reply")
        if newcomer and self.viewing is not None and self.viewing["id"] == conversation.get("id"):
            await self.channel_layer.send(
                message["sender"],
                presence.layer_message(
                    sender=self.channel_name, conversation=self.viewing,
                    agent=viewer.agent_card(), state="viewing", reply=True,
                ),
            )

    # --- helpers --------------------------------------------------------------------------

    async def _join(self, viewer: Viewer) -> None:
        group = account_group(viewer.account_id)
        if group != self.group:
            if self.group is not None:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_add(group, self.channel_name)
            self.group = group
        self.viewer = viewer
        self.scopes = {}

    async def _current_viewer(self, *, force: bool = False) -> Viewer | None:
        """The viewer, re-read at most every REFRESH_SECONDS (or now when `force`); None once
        the socket is closing."""
        if self.viewer is None:
            return None
        if not force and not self.viewer.is_stale():
            return self.viewer
        resolved = await database_sync_to_async(reload_viewer)(self.scope["session"].session_key)
        if isinstance(resolved, Refusal):
            logger.info("agent socket closed on refresh (code %s)", resolved.code)
            self.viewer = None
            self.viewing = None
            if self.group is not None:
                await self.channel_layer.group_discard(self.group, self.channel_name)
                self.group = None
            if self.personal_group is not None:
                await self.channel_layer.group_discard(self.personal_group, self.channel_name)
                self.personal_group = None
            await self.close(code=resolved.code)
            return None
        if resolved.account_id != self.viewer.account_id:
            self.viewing = None
        await self._join(resolved)
        return resolved

    async def _scope_of(self, viewer: Viewer, conversation_id: int) -> dict[str, Any] | None:
        if conversation_id not in self.scopes:
            if len(self.scopes) > 256:
                self.scopes.clear()
            self.scopes[conversation_id] = await database_sync_to_async(conversation_scope)(
                viewer, conversation_id
            )
        return self.scopes[conversation_id]

    async def _mark_online(self, *, force: bool = False) -> None:
        """Tell the chat widgets of this account that someone is answering (see presence)."""
        viewer = self.viewer
        now = time.monotonic()
        if viewer is None or (not force and now - self.marked_at < presence.MARK_EVERY_SECONDS):
            return
        self.marked_at = now
        await presence.mark_agent_online(viewer.account_id, viewer.membership_id)

    async def _announce(self, conversation: dict[str, Any], state: str) -> None:
        if self.group is None or self.viewer is None:
            return
        # The shopper's widget follows the conversation's group: it learns "typing" and
        # when typing stopped, with the agent's display name only.
        await self.channel_layer.group_send(
            presence.conversation_group(conversation["id"]),
            {"type": presence.CONVERSATION_PRESENCE, "state": state,
             "agent": {"name": self.viewer.agent_card()["name"]}},
        )
        await self.channel_layer.group_send(
            self.group,
            presence.layer_message(
                sender=self.channel_name, conversation=conversation,
                agent=self.viewer.agent_card(), state=state,
            ),
        )


def _is_private(event: dict[str, Any]) -> bool:
    message = event.get("message")
    return isinstance(message, dict) and bool(message.get("private"))
