"""Widget fixtures: the harbor chat inbox's public key, visitor sessions and widget sockets."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from storedesk.connectors.webchat.tokens import public_key
from storedesk.realtime.tests.conftest import layer_prefix, sockets  # noqa: F401 - fixtures

SHOP = "https://shop.harbor.test"
WAIT = 10  # a bound for what must arrive, not a measurement


def allow_origins(inbox, *origins: str, **config: Any) -> None:
    from storedesk.inbox.actions import replace_inbox_config

    replace_inbox_config(inbox, {**(inbox.config or {}), "allowed_origins": list(origins),
                                 **config})
    inbox.refresh_from_db()


@pytest.fixture
def chat(personas):
    """Harbor's chat inbox, embeddable on https://shop.harbor.test."""
    allow_origins(personas.harbor_chat, SHOP)
    return personas.harbor_chat


def start(inbox, *, origin: str | None = SHOP, token: str = "", customer: dict | None = None,
          languages: list[str] | None = None, client: Client | None = None):
    client = client or Client()
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post("/widget/api/session", data=json.dumps({
        "token": token, "customer": customer or {}, "languages": languages or ["en-US"],
    }), content_type="application/json", HTTP_X_WIDGET_KEY=public_key(inbox), **headers)


@pytest.fixture
async def widgets(layer_prefix: str) -> AsyncIterator[Any]:  # noqa: F811 - the fixture above
    opened: list[WebsocketCommunicator] = []

    async def open_widget(inbox, token: str, *, origin: str | None = SHOP, after: int | None = None,
                          key: str | None = None) -> WebsocketCommunicator:
        headers = [(b"host", b"testserver")]
        if origin:
            headers.append((b"origin", origin.encode()))
        query = f"key={key or public_key(inbox)}&token={token}"
        if after is not None:
            query += f"&after={after}"
        communicator = WebsocketCommunicator(application, f"/ws/widget/?{query}", headers=headers)
        connected, _ = await communicator.connect(timeout=WAIT)
        assert connected
        opened.append(communicator)
        return communicator

    yield open_widget
    for communicator in opened:
        with contextlib.suppress(Exception):  # already closed by the server
            await communicator.disconnect(timeout=WAIT)
