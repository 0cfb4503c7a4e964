"""A signed-out or deactivated agent's open websocket closes at once (not at the next refresh).

Real sockets on the real ASGI application and the configured channel layer (in-memory, or
Redis when REDIS_URL is set); sign-out and deactivation go through the real HTTP views. The
periodic refresh is left at its production value, so only the immediate close can pass.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, add_note, receive_message
from storedesk.realtime import access
from storedesk.realtime.tests.conftest import WAIT, _session_cookie, send_sentinel

pytestmark = pytest.mark.django_db(transaction=True)


def _client_with(cookie: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return client


@database_sync_to_async
def _sign_out(cookie: str) -> int:
    return _client_with(cookie).post("/logout/").status_code


@database_sync_to_async
def _deactivate(admin_cookie: str, membership_id: int) -> int:
    return _client_with(admin_cookie).post(
        f"/settings/agents/{membership_id}/deactivate/"
    ).status_code


@database_sync_to_async
def _conversation(personas):
    return receive_message(personas.harbor_api, InboundMessage(sender_id="ayse", text="Hi"))


@database_sync_to_async
def _note(personas, conversation, text: str):
    return add_note(conversation, Actor.agent(personas.ahmet), text)


async def test_signing_out_closes_that_sessions_socket_at_once(personas, sockets):
    assert access.REFRESH_SECONDS >= 30  # the production refresh: it cannot be what closes it
    # given olivia signed in twice (laptop and phone) with a socket open in each
    laptop_cookie = await database_sync_to_async(_session_cookie)(personas.olivia, None)
    phone_cookie = await database_sync_to_async(_session_cookie)(personas.olivia, None)
    laptop = await sockets["open"](cookie=laptop_cookie)
    phone = await sockets["open"](cookie=phone_cookie)
    # when she signs out on the laptop
    assert await _sign_out(laptop_cookie) == 302
    # then the laptop's socket is closed as "not signed in" at once, before any other event
    assert await laptop.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4401}
    # and the phone, still signed in, keeps receiving
    sentinel = await send_sentinel(personas.harbor.pk)
    assert await phone.receive_json_from(timeout=WAIT) == sentinel


async def test_a_deactivated_agents_socket_closes_before_the_next_private_note(personas, sockets):
    # given ahmet's socket and olivia (owner) signed in to the settings pages
    ahmet = await sockets["open"](personas.ahmet)
    conversation = (await _conversation(personas)).conversation
    assert (await ahmet.receive_json_from(timeout=WAIT))["type"] == "message.created"
    admin_cookie = await database_sync_to_async(_session_cookie)(personas.olivia, None)
    # when olivia deactivates him and a private note is written right after
    assert await _deactivate(admin_cookie, personas.ahmet.pk) == 302
    await _note(personas, conversation, "Internal: refund approved, do not tell the shopper yet")
    # then his socket closes ("no seat") and the note never reaches it
    assert await ahmet.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4403}
