"""The pigeon channel's fixtures: registered through the setting, set up through the form."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.inbox.models import Inbox

ENTRY = "storedesk.connectors.tests.fakechannel.connector:ENTRY"
APP_SECRET = "pigeon-app-secret-7"


@pytest.fixture
def pigeon_registered(settings):
    settings.STOREDESK_EXTRA_CHANNELS = [ENTRY]


@pytest.fixture
def olivia(personas) -> Client:
    browser = Client()
    browser.force_login(personas.olivia.agent)
    return browser


@pytest.fixture
def loft(tmp_path) -> Path:
    path = tmp_path / "loft"
    path.mkdir()
    return path


@pytest.fixture
def pigeon_inbox(personas, pigeon_registered, olivia, loft) -> Inbox:
    """Olivia sets the pigeon inbox up through the settings form."""
    response = olivia.post(reverse("settings:inbox_create", args=["pigeon"]),
                           {"name": "Pigeon post", "loft_dir": str(loft),
                            "app_secret": APP_SECRET})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Inbox.objects.get(account=personas.harbor, name="Pigeon post")


def signed(body: dict, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"HTTP_X_PIGEON_SIGNATURE": f"sha256={digest}"}


def push(client: Client, inbox: Inbox, raw: bytes, headers: dict[str, str]):
    return client.post(f"/hooks/pigeon/{inbox.pk}/", raw, content_type="application/json",
                       **headers)
