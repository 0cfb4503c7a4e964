"""Websockets open only from pages of this site: another site's page cannot ride the cookie."""

from __future__ import annotations

import pytest

from storedesk.realtime.origin import origin_allowed

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_signed_in_agent_on_this_site_connects(personas, sockets):
    # given olivia's browser on http://testserver
    # when it opens the socket with its own origin
    # then the socket is accepted (the fixture checks the handshake)
    socket = await sockets["open"](personas.olivia, origin="http://testserver")
    assert socket.accepted is True


async def test_a_foreign_origin_is_refused_even_with_a_valid_session(personas, sockets):
    # given olivia is signed in and visits https://evil.example, which opens a socket to us
    # when the browser sends her cookie with the foreign Origin
    # then the handshake is refused before the session is read
    for origin in ("https://evil.example", "http://testserver.evil.example",
                   "http://testserver:8080"):
        socket = await sockets["open"](personas.olivia, origin=origin, expect=False)
        assert socket.accepted is False


async def test_a_missing_or_opaque_origin_is_refused(personas, sockets):
    # given a client that sends no Origin (or "null" from a sandboxed frame or file: page)
    # then the handshake is refused
    for origin in (None, "null"):
        socket = await sockets["open"](personas.olivia, origin=origin, expect=False)
        assert socket.accepted is False


async def test_trusted_origins_from_settings_are_accepted(personas, sockets, settings):
    # given the site is served through https://desk.harbor.example (a proxy rewriting Host)
    settings.CSRF_TRUSTED_ORIGINS = ["https://desk.harbor.example", "https://*.harbor.example"]
    # then pages from the trusted origins may open sockets, other schemes may not
    await sockets["open"](personas.olivia, origin="https://desk.harbor.example")
    await sockets["open"](personas.olivia, origin="https://eu.harbor.example")
    socket = await sockets["open"](personas.olivia, origin="http://desk.harbor.example",
                                   expect=False)
    assert socket.accepted is False


def _scope(host: str | None, origin: str | None, scheme: str = "ws") -> dict:
    headers = []
    if host is not None:
        headers.append((b"host", host.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.mark.parametrize(
    ("host", "origin", "allowed"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000", True),
        ("Desk.Example.com", "https://desk.example.com", True),  # case-insensitive
        ("desk.example.com", "https://desk.example.com", True),  # TLS ended at a proxy
        ("127.0.0.1:8000", "http://localhost:8000", False),
        ("127.0.0.1:8000", "http://127.0.0.1:9000", False),
        ("desk.example.com", "https://desk.example.com.evil.test", False),
        ("desk.example.com", "chrome-extension://abc", False),
        ("desk.example.com", "", False),
        (None, "https://desk.example.com", False),
    ],
)
def test_origin_must_name_the_host_the_request_was_sent_to(host, origin, allowed):
    assert origin_allowed(_scope(host, origin)) is allowed


def test_hosts_outside_allowed_hosts_are_refused(settings):
    # given a deployment that pins its host names
    settings.ALLOWED_HOSTS = ["desk.example.com"]
    # then a matching Origin/Host pair for another name is still refused
    assert origin_allowed(_scope("desk.example.com", "https://desk.example.com"))
    assert not origin_allowed(_scope("other.example.com", "https://other.example.com"))
