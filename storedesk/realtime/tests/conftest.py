"""Agent sockets for tests: real sessions, the real ASGI application, the configured layer.

Each test gets its own channel layer (a fresh in-memory layer, or on Redis a unique key prefix),
so concurrent test runs sharing one Redis never see each other's groups.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from config.asgi import application
from storedesk.accounts.models import Membership
from storedesk.realtime.publish import account_group

HOST = "testserver"
ORIGIN = "http://testserver"
WAIT = 10  # seconds to wait for something that must arrive (a bound, not a measurement)


@pytest.fixture
def layer_prefix(settings: Any) -> str:
    """A private channel layer for this test; returns the STOREDESK_CACHE_PREFIX it uses."""
    prefix = f"sdtest-{uuid.uuid4().hex[:12]}"
    layers: dict[str, Any] = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    # The configured layer (in-memory, or Redis when REDIS_URL is set), with only the key prefix
    # changed; a new settings value also makes channels build a fresh layer for this test.
    if "CONFIG" in layers["default"] and "prefix" in layers["default"]["CONFIG"]:
        layers["default"]["CONFIG"]["prefix"] = f"{prefix}:asgi"
    settings.CHANNEL_LAYERS = layers
    return prefix


def _session_cookie(membership: Membership, account_id: int | None) -> str:
    client = Client()
    client.force_login(membership.agent)
    if account_id is not None:
        session = client.session
        session["account_id"] = account_id
        session.save()
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _seat_ids(membership: Membership, account_id: int | None) -> set[int]:
    """The seat the socket should announce: this one, or the agent's seat in account_id."""
    if account_id is None:
        return {membership.pk}
    return {m.pk for m in Membership.objects.filter(agent_id=membership.agent_id,
                                                    account_id=account_id)}


SocketFactory = Callable[..., Awaitable[WebsocketCommunicator]]


@pytest.fixture
async def sockets(layer_prefix: str) -> AsyncIterator[dict[str, Any]]:
    """{"open": open_socket(...), "login": session_cookie(...)} and teardown of every socket."""
    opened: list[WebsocketCommunicator] = []

    async def open_socket(
        membership: Membership | None = None,
        *,
        cookie: str | None = None,
        origin: str | None = ORIGIN,
        host: str = HOST,
        account_id: int | None = None,
        expect: bool = True,
    ) -> WebsocketCommunicator:
        headers = [(b"host", host.encode())]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        if membership is not None and cookie is None:
            cookie = await database_sync_to_async(_session_cookie)(membership, account_id)
        if cookie is not None:
            headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        communicator = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
        connected, _ = await communicator.connect(timeout=WAIT)
        communicator.accepted = connected  # type: ignore[attr-defined]
        communicator.close_code = None  # type: ignore[attr-defined]
        if connected:
            opened.append(communicator)
            if not expect:
                # Refused after the handshake: the first frame closes with an application code.
                closing = await communicator.receive_output(timeout=WAIT)
                assert closing["type"] == "websocket.close", closing
                communicator.close_code = closing["code"]  # type: ignore[attr-defined]
                opened.remove(communicator)
                return communicator
        assert connected is expect, f"connected={connected}"
        if connected and membership is not None:
            ready = await communicator.receive_json_from(timeout=WAIT)
            assert ready["type"] == "ready", ready
            seats = await database_sync_to_async(_seat_ids)(membership, account_id)
            assert ready["agent"]["id"] in seats
        elif connected:
            assert (await communicator.receive_json_from(timeout=WAIT))["type"] == "ready"
        return communicator

    yield {"open": open_socket}
    for communicator in opened:
        await communicator.disconnect(timeout=WAIT)


async def send_sentinel(account_id: int) -> dict[str, Any]:
    """Publish a harmless event to an account; the first thing its sockets must receive next.

    A socket's messages arrive in publish order, so "the next event is the sentinel" proves
    that nothing published before it reached the socket, without waiting for a timeout.
    """
    event = {"type": "contact.updated", "contact_id": -account_id, "sentinel": uuid.uuid4().hex}
    await get_channel_layer().group_send(
        account_group(account_id), {"type": "storedesk.event", "event": event}
    )
    return event
