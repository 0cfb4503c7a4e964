"""Fixtures shared by every test: personas in two accounts and authenticated API clients."""

from __future__ import annotations

import pytest
from django.test import Client

from storedesk.testing.personas import Personas, create_personas


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
