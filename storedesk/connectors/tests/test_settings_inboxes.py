"""Olivia (owner of Harbor & Vine) sets up inboxes of every channel through the settings pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.models import AuditLog
from storedesk.connectors.secrets import reveal
from storedesk.inbox.models import Inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def olivia(personas) -> Client:
    browser = Client()
    browser.force_login(personas.olivia.agent)
    return browser


def test_api_inbox_shows_its_signing_secret_once(personas, olivia):
    # when Olivia creates an API inbox with a webhook URL
    response = olivia.post(reverse("settings:inbox_create", args=["api"]),
                           {"name": "Storefront bot", "webhook_url": "https://hooks.harbor.test/sd"})
    inbox = Inbox.objects.get(account=personas.harbor, name="Storefront bot")
    assert response.status_code == 302
    assert inbox.channel == "api" and inbox.config == {"webhook_url": "https://hooks.harbor.test/sd"}
    # then the next page shows the signing secret (stored sealed, never as shown)
    secret = inbox.signing_secret()
    assert secret not in inbox.secret
    first = olivia.get(response.url).content.decode()
    assert secret in first
    # and never again
    assert secret not in olivia.get(response.url).content.decode()
    assert AuditLog.objects.filter(action="inbox.created", object_id=str(inbox.pk)).exists()


def test_email_inbox_keeps_the_smtp_password_when_left_empty(personas, olivia):
    url = reverse("settings:inbox_create", args=["email"])
    # an email inbox needs an address
    assert olivia.post(url, {"name": "Returns mail"}).status_code == 400
    olivia.post(url, {"name": "Returns mail", "address": "returns@harbor.test",
                      "smtp_host": "smtp.harbor.test", "smtp_port": "587",
                      "smtp_security": "starttls", "smtp_username": "returns",
                      "smtp_password": "s3cret-smtp"})
    inbox = Inbox.objects.get(account=personas.harbor, name="Returns mail")
    # the password is stored sealed, never as typed
    sealed = inbox.config["smtp"]["password"]
    assert sealed.startswith("enc:v1:") and "s3cret-smtp" not in json.dumps(inbox.config)
    assert reveal(sealed) == "s3cret-smtp"
    # the edit page never echoes the password back
    edit = reverse("settings:inbox_edit", args=[inbox.pk])
    assert "s3cret-smtp" not in olivia.get(edit).content.decode()
    # saving with an empty password field keeps it
    olivia.post(edit, {"name": "Returns", "address": "returns@harbor.test",
                       "smtp_host": "smtp.harbor.test", "smtp_port": "2525",
                       "smtp_security": "tls", "smtp_username": "returns", "smtp_password": ""})
    inbox.refresh_from_db()
    assert inbox.name == "Returns"
    smtp = inbox.config["smtp"]
    assert {k: v for k, v in smtp.items() if k != "password"} == {
        "host": "smtp.harbor.test", "port": 2525, "security": "tls", "username": "returns",
        "from_address": ""}
    assert smtp["password"] == sealed and reveal(smtp["password"]) == "s3cret-smtp"
    # and a new password replaces it
    olivia.post(edit, {"name": "Returns", "address": "returns@harbor.test",
                       "smtp_host": "smtp.harbor.test", "smtp_port": "2525",
                       "smtp_security": "tls", "smtp_username": "returns",
                       "smtp_password": "n3w-pass"})
    inbox.refresh_from_db()
    assert reveal(inbox.config["smtp"]["password"]) == "n3w-pass"


def test_chat_inbox_with_a_greeting_then_deactivated(personas, olivia):
    olivia.post(reverse("settings:inbox_create", args=["webchat"]),
                {"name": "Help bubble", "greeting": "Hi! How can we help?",
                 "team": personas.returns.pk})
    inbox = Inbox.objects.get(account=personas.harbor, name="Help bubble")
    assert inbox.config["greeting"] == "Hi! How can we help?"
    assert inbox.config["allowed_origins"] == []  # the widget's defaults come with it
    assert inbox.team_id == personas.returns.pk
    olivia.post(reverse("settings:inbox_deactivate", args=[inbox.pk]))
    inbox.refresh_from_db()
    assert not inbox.is_active


def test_a_team_of_another_account_is_refused_for_an_inbox(personas, olivia):
    from storedesk.accounts.actions import create_team

    northern = create_team(personas.northwind, "Northern team")
    response = olivia.post(reverse("settings:inbox_create", args=["webchat"]),
                           {"name": "Sneaky", "team": northern.pk})
    assert response.status_code == 400
    assert not Inbox.objects.filter(name="Sneaky").exists()
