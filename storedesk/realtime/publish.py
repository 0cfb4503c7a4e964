"""Send a realtime event to the agents of one account (called after commit only).

On the Redis layer (scale profile) events go through one long-lived event loop per process:
`async_to_sync` from a plain thread would start a new loop, and with it a new Redis connection,
for every event (~7 ms each, measured with bench/ingest.py's profile). The in-memory layer
(embedded profile) keeps `async_to_sync`, because its queues belong to the server's own loop.

`publish` (after commit, errors logged, never raised) does not wait for its Redis round trip:
the sends go out in order on that loop, each after the one before, while the writer goes on (a
drain of 200 messages waited 200 round trips after its commit). At most `MAX_IN_FLIGHT` wait
at a time (beyond that the caller waits for the oldest), and the process waits for the last one
at exit, so a short-lived process does not drop its events. `group_send` (the chat widget's
transport, which must know whether the push went out) still waits for its own send.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()
PUBLISH_TIMEOUT_SECONDS = 5
MAX_IN_FLIGHT = 1000


def account_group(account_id: int) -> str:
    return f"account-{account_id}"


def agent_group(agent_id: int) -> str:
    """Every open socket of one agent (all their tabs, in any account)."""
    return f"agent-{agent_id}"


# One layer message carrying several events of one account, in order (a batch of inbound
# messages): one channel-layer send for the batch instead of one Redis round trip per event.
# Each agent socket unpacks it and handles every event as if it had come alone.
EVENTS = "storedesk.events"

# Events the shopper's chat widget also learns, through the group of the conversation it
# follows (`presence.conversation_group`): only what the widget needs, never the agent payload.
CONVERSATION_READ = "storedesk.conversation_read"


def publish(account_id: int, event: dict[str, Any]) -> None:
    _group_send(account_group(account_id), {"type": "storedesk.event", "event": event})
    _tell_widget(event)


def publish_many(account_id: int, events: list[dict[str, Any]]) -> None:
    """Several events of one account, in order, in one layer message (see EVENTS)."""
    if len(events) == 1:
        publish(account_id, events[0])
        return
    if events:
        _group_send(account_group(account_id), {"type": EVENTS, "events": events})
    for event in events:
        _tell_widget(event)


def _tell_widget(event: dict[str, Any]) -> None:
    if event.get("type") == "conversation.read" and event.get("message_id"):
        from storedesk.realtime.presence import conversation_group

        _group_send(conversation_group(int(event["conversation"]["id"])),
                    {"type": CONVERSATION_READ, "message_id": int(event["message_id"])})


def recheck_agent_sockets(agent_id: int) -> None:
    """Make every open socket of an agent re-read its session and seat now (called after
    commit by sign-out, deactivation, team and role changes): a socket whose session ended
    closes at once instead of at its next periodic refresh."""
    _group_send(agent_group(agent_id), {"type": "storedesk.recheck"})


def _group_send(group: str, message: dict[str, Any]) -> None:
    try:
        layer = get_channel_layer()
        if layer is not None and not isinstance(layer, InMemoryChannelLayer):
            _in_order.send(layer, group, message)
            return
        group_send(group, message)
    except Exception:  # a realtime hiccup must never fail the write that already committed
        logger.exception("realtime publish to %s failed", group)


class _InOrder:
    """Sends on the publishing loop one after the other, without the caller waiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight: deque[Future[None]] = deque()

    def send(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        with self._lock:
            while self._in_flight and self._in_flight[0].done():
                self._in_flight.popleft()
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                self._wait(self._in_flight.popleft())
            previous = self._in_flight[-1] if self._in_flight else None
            self._in_flight.append(asyncio.run_coroutine_threadsafe(
                _after(previous, layer, group, message), _publisher_loop()))

    def flush(self) -> None:
        with self._lock:
            if self._in_flight:
                self._wait(self._in_flight[-1])
            self._in_flight.clear()

    @staticmethod
    def _wait(future: Future[None]) -> None:
        try:
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
        except FutureTimeout:
            logger.warning("realtime publishes are waiting on the channel layer")


async def _after(previous: Future[None] | None, layer: Any, group: str,
                 message: dict[str, Any]) -> None:
    if previous is not None:
        await asyncio.wrap_future(previous)  # never raises: each send logs its own failure
    try:
        await asyncio.wait_for(layer.group_send(group, message), PUBLISH_TIMEOUT_SECONDS)
    except Exception:
        logger.exception("realtime publish to %s failed", group)


_in_order = _InOrder()
atexit.register(_in_order.flush)


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send to a channel-layer group from synchronous code; raises when the layer fails.

    In-memory layer: its queues live on the server's event loop, so a send from another
    thread (a queue worker) is handed to that loop. `async_to_sync` from such a thread would
    run it on a new loop of its own, and the waiting socket would only notice the message the
    next time something else woke the server's loop (up to seconds later, measured with
    bench/widget_ws.py).
    """
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("No channel layer is configured (CHANNEL_LAYERS).")
    if isinstance(layer, InMemoryChannelLayer):
        loop = _server_loop
        if loop is not None and loop.is_running() and not _running_in(loop):
            asyncio.run_coroutine_threadsafe(
                layer.group_send(group, message), loop
            ).result(timeout=PUBLISH_TIMEOUT_SECONDS)
        else:
            async_to_sync(layer.group_send)(group, message)
        return
    # Wait for the send (a round trip on a kept connection) so that a short-lived
    # process, such as a management command, does not exit before the event is out.
    asyncio.run_coroutine_threadsafe(
        layer.group_send(group, message), _publisher_loop()
    ).result(timeout=PUBLISH_TIMEOUT_SECONDS)


_server_loop: asyncio.AbstractEventLoop | None = None


def bind_server_loop() -> None:
    """Remember the ASGI server's event loop (called by config/asgi.py from inside it)."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def _running_in(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """The process's publishing loop, started on first use in a daemon thread."""
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="realtime-publisher", daemon=True
            ).start()
            _loop = loop
        return _loop


