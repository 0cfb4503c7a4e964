"""Signing in and out: session rotation, audit rows, rate limits, CSRF, anonymous redirects."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.models import AuditLog
from storedesk.testing.personas import PASSWORD
from storedesk.testing.windows import clear_of_window_edge

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password},
                       **extra)


def test_anonymous_visitors_are_sent_to_sign_in(personas, client):
    # when an anonymous visitor opens the workspace and a settings page
    home = client.get("/")
    settings_page = client.get(reverse("settings:index"))
    # then both redirect to the sign-in page, remembering where they were going
    assert home.status_code == 302 and home.url.startswith("/login/")
    assert settings_page.status_code == 302
    assert settings_page.url == "/login/?next=/settings/"


def test_sign_in_rotates_the_session_and_audits(personas, client):
    # given an anonymous session that already has a key
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    assert before
    # when Olivia signs in
    response = _sign_in(client, "Olivia@Harbor.test")
    # then she lands on the workspace with a new session key
    assert response.status_code == 302 and response.url == "/"
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(personas.olivia.agent_id)
    row = AuditLog.objects.get(action="auth.signed_in")
    assert row.actor_id == personas.olivia.agent_id and row.account_id == personas.harbor.pk
    assert row.ip_address == "127.0.0.1"


def test_wrong_password_shows_an_error_and_audits(personas, client):
    response = _sign_in(client, "olivia@harbor.test", "not-the-password")
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session
    row = AuditLog.objects.get(action="auth.sign_in_failed")
    assert row.actor_id == personas.olivia.agent_id
    assert row.data["email"] == "olivia@harbor.test"
    assert "not-the-password" not in str(row.data)


def test_too_many_attempts_are_refused_with_429(personas, client, settings):
    # given a limit of 5 attempts (an hour window, started well clear of its edge)
    settings.LOGIN_RATE_LIMIT = "5/h"
    clear_of_window_edge(3600)
    for _ in range(5):
        assert _sign_in(client, "olivia@harbor.test", "wrong").status_code == 200
    # when the 6th attempt comes, even with the right password
    response = _sign_in(client, "olivia@harbor.test")
    # then it is refused with a readable page and nobody is signed in
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="auth.sign_in_failed",
                                   data__rate_limited=True).count() == 1


def test_failed_logins_throttle_the_attacker_not_the_owner(personas, client, settings):
    # given the production limits (10 failures per IP + account a minute, 30 per IP)
    assert settings.LOGIN_RATE_LIMIT == "10/m" and settings.LOGIN_IP_RATE_LIMIT == "30/m"
    settings.LOGIN_RATE_LIMIT, settings.LOGIN_IP_RATE_LIMIT = "10/h", "30/h"
    clear_of_window_edge(3600)
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    # when an attacker guesses Ahmet's password ten times
    for _ in range(10):
        assert _sign_in(client, "ahmet@harbor.test", "guess", **attacker).status_code == 200
    # then the attacker is throttled, even when the 11th guess is right
    assert _sign_in(client, "ahmet@harbor.test", **attacker).status_code == 429
    # and Ahmet, from his own fresh browser, signs in with his password at once
    owner = _sign_in(Client(), "ahmet@harbor.test", REMOTE_ADDR="198.51.100.20")
    assert owner.status_code == 302 and owner.url == "/"
    # when the attacker sprays other accounts from the same address
    for n in range(20):
        _sign_in(Client(), f"nobody{n}@harbor.test", "guess", **attacker)
    # then the address is throttled for every account, and nobody else is
    assert _sign_in(Client(), "lina@harbor.test", **attacker).status_code == 429
    assert _sign_in(Client(), "lina@harbor.test", REMOTE_ADDR="198.51.100.21").status_code == 302


def test_sign_out_is_post_only(personas, client):
    client.force_login(personas.olivia.agent)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == "/login/"
    assert "_auth_user_id" not in client.session


def test_sign_in_and_out_need_the_csrf_token(personas):
    browser = Client(enforce_csrf_checks=True)
    assert _sign_in(browser, "olivia@harbor.test").status_code == 403
    browser.force_login(personas.olivia.agent)
    assert browser.post(reverse("accounts:logout")).status_code == 403


def test_an_agent_without_an_active_seat_cannot_sign_in(personas, client):
    # given Lina's only seat was deactivated
    from storedesk.accounts.actions import deactivate_member

    deactivate_member(personas.lina, by=personas.olivia.agent)
    # when she signs in with the right password
    response = _sign_in(client, "lina@harbor.test")
    # then she is told, and not signed in
    assert response.status_code == 200
    assert "deactivated" in response.content.decode()
    assert "_auth_user_id" not in client.session
