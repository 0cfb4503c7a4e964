"""Fixtures shared by every test: personas in two accounts and authenticated API clients.

The browser harness (fixtures ``asgi_server`` and ``browser``) lives in storedesk.testing.browser.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from storedesk.testing.personas import Personas, create_personas

pytest_plugins = ["storedesk.testing.browser", "storedesk.testing.queue_workers"]


@pytest.fixture(scope="session", autouse=True)
def _close_db_pools(django_db_setup, django_db_blocker):
    """Close psycopg pools at the end so the PostgreSQL test database can be dropped."""
    yield
    from django.db import connections

    for conn in connections.all():
        if hasattr(conn, "close_pool"):
            conn.close_pool()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Attachments written by a test go to its own folder, not the data dir."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Rate-limit counters live in the cache (Redis on the scale profile): give every test its
    own key prefix so counters never leak between tests or test runs, without flushing Redis."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    for conf in caches.values():
        conf["KEY_PREFIX"] = prefix
        if conf["BACKEND"].endswith("LocMemCache"):
            conf["LOCATION"] = prefix
    settings.CACHES = caches
    yield


@pytest.fixture
def personas(db: None) -> Personas:
    return create_personas()


@pytest.fixture
def api_token():
    """Make a raw API token for a membership: api_token(personas.olivia) -> 'sd_...'."""
    from storedesk.accounts.actions import create_api_token

    def make(membership) -> str:
        return create_api_token(membership)[1]

    return make


@pytest.fixture
def api(api_token):
    """An API client bound to one persona: api(personas.olivia).get('/api/v1/inboxes')."""

    def make(membership=None, token: str | None = None) -> Client:
        raw = token if token is not None else (api_token(membership) if membership else "")
        headers = {"Authorization": f"Bearer {raw}"} if raw else {}
        return Client(headers=headers)

    return make
