"""`ws/widget/`: one visitor's chat widget (a browser tab on the store's site).

No cookies and no session: the socket names its inbox by public key and its visitor by the
signed token (query string), and its Origin must be one of the inbox's allowed origins (or
this server's own pages). On connect it joins the visitor's group (replies from the transport)
and the group of the visitor's latest conversation (agents typing), then sends what the widget
missed since its cursor.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache
from django.db import DatabaseError, connection

from storedesk.connectors.webchat import visitor as service
from storedesk.connectors.webchat.tokens import Visitor
from storedesk.connectors.webchat.transport import (
    EVENT_TYPE,
    ONLINE_TTL_SECONDS,
    online_key,
    visitor_group,
    widget_message,
)
from storedesk.core.errors import ActionError
from storedesk.inbox.models import Inbox
from storedesk.realtime.presence import RateLimit, conversation_group
from storedesk.realtime.publish import publish

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 32 * 1024  # a 4,000-character message, JSON-escaped, fits


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin1")
    return None


def client_ip(scope: dict[str, Any]) -> str:
    client = scope.get("client") or ("", 0)
    return str(client[0] or "unknown")


def _receipt_runner(function: Any) -> Any:
    """Where a receipt's database work runs. On PostgreSQL: a thread of the shared pool, with
    its own pooled connection, so a reply's receipts do not queue in the one thread that runs
    every socket's and every sync view's database work (the API answering the next reply,
    bench/widget_ws.py). On SQLite (one writer): that one thread, as everything else."""
    if connection.vendor == "postgresql":
        return database_sync_to_async(function, thread_sensitive=False)
    return database_sync_to_async(function)


class WidgetConsumer(AsyncJsonWebsocketConsumer):
    inbox: Inbox | None = None
    visitor: Visitor | None = None
    group: str | None = None
    conversation_id: int | None = None

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        key = (query.get("key") or [""])[0]
        token = (query.get("token") or [""])[0]
        raw_after = (query.get("after") or [""])[0]
        after = int(raw_after) if raw_after.isdigit() and len(raw_after) < 19 else None
        opened = await database_sync_to_async(service.open_socket)(
            key, token, _header(self.scope, b"origin"), _header(self.scope, b"host"), after)
        if isinstance(opened, int):
            # Accept, then close with a code the widget can read (a refused handshake is a
            # bare 1006 in the browser and would be retried forever).
            await self.accept()
            await self.close(code=opened)
            return
        self.inbox, self.visitor = opened.inbox, opened.visitor
        self.limit = RateLimit(burst=20, window=10.0)
        self.group = visitor_group(opened.inbox.pk, opened.visitor.source_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self._follow(opened.conversation_id)
        await self.accept()
        await self._mark_online()
        await self.send_json({"type": "ready", "messages": opened.catch_up,
                              "seen": opened.seen})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.conversation_id is not None:
            await self.channel_layer.group_discard(
                conversation_group(self.conversation_id), self.channel_name)

    # --- browser -> server ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.send_json({"type": "error", "code": "too_long"})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        if isinstance(content, dict):
            await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.inbox is None or self.visitor is None:
            return
        kind = content.get("type")
        if kind == "ping":
            await self._mark_online()
            await self.send_json({"type": "pong"})
        elif kind == "message":
            await self._message(content)
        elif kind == "receipt":
            message_id, status = content.get("id"), content.get("status")
            if isinstance(message_id, int) and not isinstance(message_id, bool):
                ok = await _receipt_runner(self._acknowledge)(message_id, str(status))
                if ok is not None:
                    # The widget keeps a receipt until this answer (and sends it again on
                    # its next connect), so a receipt is never lost to a dropped socket or
                    # a failed write.
                    await self.send_json({"type": "receipted", "id": message_id,
                                          "status": str(status), "ok": ok})
        elif kind == "typing" and self.conversation_id is not None and self.limit.allow():
            scope = await database_sync_to_async(service.conversation_scope)(
                self.inbox, self.conversation_id)
            if scope is not None:
                await database_sync_to_async(publish)(self.inbox.account_id, {
                    "type": "visitor.typing", "conversation": scope,
                    "state": "typing" if content.get("state") != "stopped" else "stopped"})

    def _acknowledge(self, message_id: int, status: str) -> bool | None:
        """True recorded, False not a reply of this visitor's (ignored), None not written
        (the database failed: no answer, so the widget sends the receipt again)."""
        assert self.inbox is not None and self.visitor is not None
        try:
            return service.acknowledge(self.inbox, self.visitor, message_id, status)
        except ActionError:
            return False
        except DatabaseError:
            logger.exception("widget receipt %s for message %s not recorded", status, message_id)
            return None

    async def _message(self, content: dict[str, Any]) -> None:
        assert self.inbox is not None and self.visitor is not None
        client_id = content.get("client_id")
        try:
            message = await database_sync_to_async(self._post)(content)
        except service.WidgetError as exc:
            await self.send_json({"type": "error", "client_id": client_id, "code": exc.code,
                                  "detail": exc.detail})
            return
        except ActionError as exc:
            await self.send_json({"type": "error", "client_id": client_id, "code": "invalid",
                                  "detail": exc.detail})
            return
        await self._follow(message["conversation_id"])
        await self.send_json({"type": "ack", "client_id": client_id, "message": message})
        # The visitor's other tabs show it too (each widget drops ids it already has).
        assert self.group is not None
        await self.channel_layer.group_send(self.group, {"type": EVENT_TYPE, "message": message})

    def _post(self, content: dict[str, Any]) -> dict[str, Any]:
        assert self.inbox is not None and self.visitor is not None
        text = content.get("text")
        message = service.post_message(
            self.inbox, self.visitor, text=text if isinstance(text, str) else "",
            client_id=str(content.get("client_id") or ""), ip=client_ip(self.scope),
            name=str(content.get("name") or ""), email=str(content.get("email") or ""),
            page=str(content.get("page") or ""),
        )
        return widget_message(message)

    # --- channel layer -> browser ---------------------------------------------------------

    async def webchat_message(self, event: dict[str, Any]) -> None:
        message = event.get("message")
        if isinstance(message, dict):
            await self._follow(message.get("conversation_id"))
            await self.send_json({"type": "message", "message": message})

    async def storedesk_conversation_read(self, event: dict[str, Any]) -> None:
        """An agent read the conversation: the widget shows "Seen" under that message."""
        message_id = event.get("message_id")
        if isinstance(message_id, int):
            await self.send_json({"type": "seen", "id": message_id})

    async def storedesk_agent_presence(self, event: dict[str, Any]) -> None:
        agent = event.get("agent") or {}
        await self.send_json({"type": "typing", "typing": event.get("state") == "typing",
                              "name": str(agent.get("name") or "")})

    # --- helpers --------------------------------------------------------------------------

    async def _follow(self, conversation_id: Any) -> None:
        if not isinstance(conversation_id, int) or conversation_id == self.conversation_id:
            return
        if self.conversation_id is not None:
            await self.channel_layer.group_discard(
                conversation_group(self.conversation_id), self.channel_name)
        self.conversation_id = conversation_id
        await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)

    async def _mark_online(self) -> None:
        assert self.inbox is not None and self.visitor is not None
        # Not cache.aset: that runs in the one thread shared with every database call of
        # every socket; a cache write needs no connection of its own.
        await sync_to_async(cache.set, thread_sensitive=False)(
            online_key(self.inbox.pk, self.visitor.source_id), 1, ONLINE_TTL_SECONDS)
