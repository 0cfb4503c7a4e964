"""Connecting a mailbox: Olivia enters IMAP and SMTP settings (settings page or API), "Test
connection" says exactly which step fails, secrets are never shown back, and the dead letters
are listed for admins to retry, download or delete."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.connectors.email.dead_letters import keep
from storedesk.connectors.email.models import DeadLetter
from storedesk.connectors.email.tests.mailbuilder import mail
from storedesk.connectors.secrets import reveal
from storedesk.inbox.models import Inbox, Message
from storedesk.testing.smtp_server import LocalSmtpServer


@pytest.fixture
def olivia(personas) -> Client:
    browser = Client()
    browser.force_login(personas.olivia.agent)
    return browser


@pytest.fixture
def smtp(settings) -> Iterator[LocalSmtpServer]:
    settings.FETCH_ALLOW_PRIVATE = True
    with LocalSmtpServer(credentials=("support", "smtp-pw")) as server:
        yield server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(dovecot, mailbox, smtp, **imap) -> dict:
    return {
        "address": "support@harbor.test", "from_name": "Harbor & Vine",
        "signature": "Harbor & Vine", "imap": {
            "host": "127.0.0.1", "port": dovecot.port, "security": "none",
            "username": mailbox, "password": f"pw-{mailbox}", "folders": ["INBOX"], **imap},
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none",
                 "username": "support", "password": "smtp-pw"},
    }


def _put(client, inbox, body):
    return client.put(f"/api/v1/inboxes/{inbox.pk}/email/settings", json.dumps(body),
                      content_type="application/json")


def _test(client, inbox) -> dict:
    response = client.post(f"/api/v1/inboxes/{inbox.pk}/email/test-connection")
    assert response.status_code == 200, response.content
    return response.json()


def _failed(result: dict) -> list[tuple[str, str]]:
    return [(s["server"], s["step"]) for s in result["steps"] if not s["ok"]]


def test_an_admin_connects_a_mailbox_through_the_api(personas, api, dovecot, mailbox, smtp):
    olivia = api(personas.olivia)
    inbox = personas.harbor_email
    # when Olivia saves the IMAP and SMTP settings
    response = _put(olivia, inbox, _settings(dovecot, mailbox, smtp))
    assert response.status_code == 200, response.content
    body = response.json()
    # then no password is ever shown back, only that one is stored
    assert body["imap"]["password_set"] and body["smtp"]["password_set"]
    assert "pw-" not in response.content.decode() and "smtp-pw" not in response.content.decode()
    inbox.refresh_from_db()
    assert reveal(inbox.config["imap"]["password"]) == f"pw-{mailbox}"
    # and "test connection" passes every step, naming the folder it opened
    result = _test(olivia, inbox)
    assert result["ok"] is True, result
    steps = [(s["server"], s["step"]) for s in result["steps"]]
    assert steps == [("imap", "dns"), ("imap", "connect"), ("imap", "login"),
                     ("imap", "folder"), ("smtp", "dns"), ("smtp", "connect"),
                     ("smtp", "login")]
    assert smtp.logins == ["support"]
    # a save without passwords keeps the stored ones
    again = _settings(dovecot, mailbox, smtp)
    again["imap"].pop("password")
    again["smtp"]["password"] = ""
    assert _put(olivia, inbox, again).status_code == 200
    assert _test(olivia, inbox)["ok"] is True
    # agents may not read or change it; another account gets 404
    assert api(personas.ahmet).get(f"/api/v1/inboxes/{inbox.pk}/email/settings"
                                   ).status_code == 403
    assert api(personas.bruno).get(f"/api/v1/inboxes/{inbox.pk}/email/settings"
                                   ).status_code == 404


@pytest.mark.parametrize(("change", "failed", "says"), [
    ({"password": "wrong"}, ("imap", "login"), "refused the login"),
    ({"folders": ["INBOX", "Nope"]}, ("imap", "folder"), "Nope"),
    ({"host": "no-such-host.invalid"}, ("imap", "dns"), "no-such-host.invalid"),
    ({"port": "closed"}, ("imap", "connect"), "Could not connect"),
    ({"security": "tls"}, ("imap", "tls"), "TLS"),
], ids=["login", "folder", "dns", "connect", "tls"])
def test_test_connection_says_which_step_failed(personas, api, dovecot, mailbox, smtp,
                                                change, failed, says):
    if change.get("port") == "closed":
        change = {"port": _closed_port()}
    olivia = api(personas.olivia)
    assert _put(olivia, personas.harbor_email,
                _settings(dovecot, mailbox, smtp, **change)).status_code == 200
    result = _test(olivia, personas.harbor_email)
    assert result["ok"] is False
    assert _failed(result) == [failed]
    detail = next(s["detail"] for s in result["steps"] if not s["ok"])
    assert says in detail


def test_a_wrong_smtp_password_is_a_login_failure(personas, api, dovecot, mailbox, smtp):
    olivia = api(personas.olivia)
    body = _settings(dovecot, mailbox, smtp)
    body["smtp"]["password"] = "wrong"
    _put(olivia, personas.harbor_email, body)
    result = _test(olivia, personas.harbor_email)
    assert _failed(result) == [("smtp", "login")]
    assert "535" in next(s["detail"] for s in result["steps"] if not s["ok"])


def test_the_settings_page_sets_up_imap_and_tests_the_form_values(
    personas, olivia, dovecot, mailbox, smtp
):
    # when Olivia creates an email inbox with IMAP on the settings page
    response = olivia.post(reverse("settings:inbox_create", args=["email"]), {
        "name": "Orders mail", "address": "orders@harbor.test",
        "imap_host": "127.0.0.1", "imap_port": str(dovecot.port), "imap_security": "none",
        "imap_username": mailbox, "imap_password": f"pw-{mailbox}",
        "imap_folders": "INBOX", "signature": "Harbor & Vine"})
    assert response.status_code == 302, response.content.decode()[:2000]
    inbox = Inbox.objects.get(account=personas.harbor, name="Orders mail")
    assert inbox.config["imap"]["folders"] == ["INBOX"]
    page = olivia.get(response.url).content.decode()
    assert "Test connection" in page and f"pw-{mailbox}" not in page
    # "Test connection" with the form as it is (password left empty: the stored one is used)
    form = {"address": "orders@harbor.test", "imap_host": "127.0.0.1",
            "imap_port": str(dovecot.port), "imap_security": "none",
            "imap_username": mailbox, "imap_folders": "INBOX"}
    result = olivia.post(reverse("settings:email_test_connection", args=[inbox.pk]), form)
    html = result.content.decode()
    assert result.status_code == 200
    assert 'data-step="folder" data-ok="true"' in html
    assert 'data-ok="false"' not in html
    # and with a wrong password typed in, the login step is the one that fails
    result = olivia.post(reverse("settings:email_test_connection", args=[inbox.pk]),
                         {**form, "imap_password": "typo"})
    assert 'data-step="login" data-ok="false"' in result.content.decode()


def test_settings_pages_are_admin_only(personas, olivia):
    ahmet = Client()
    ahmet.force_login(personas.ahmet.agent)
    url = reverse("settings:email_test_connection", args=[personas.harbor_email.pk])
    assert ahmet.post(url, {}).status_code == 404
    assert ahmet.get(reverse("settings:email_dead_letters")).status_code == 404
    bruno = Client()
    bruno.force_login(personas.bruno.agent)
    assert bruno.post(url, {}).status_code == 404


def test_dead_letters_are_listed_retried_downloaded_and_deleted(personas, olivia, api,
                                                                 settings):
    inbox = personas.harbor_email
    # given a mail that was too large, and a limit raised since
    settings.STOREDESK_EMAIL_MAX_BYTES = 1000
    raw = mail(text="x" * 2000)
    letter, created = keep(inbox, raw, source="upload", reason="The message is over the limit.")
    other, _ = keep(inbox, b"junk without headers", source="imap", reason="Unparseable: x")
    page = olivia.get(reverse("settings:email_dead_letters")).content.decode()
    assert "over the limit" in page and "Order #1001 damaged" in page
    # the raw mail downloads as a file, never rendered
    download = olivia.get(reverse("settings:email_dead_letter_raw", args=[letter.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.content == raw
    # when the limit is raised and Olivia retries, the mail is filed
    settings.STOREDESK_EMAIL_MAX_BYTES = 10_000_000
    olivia.post(reverse("settings:email_dead_letter_retry", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.status == "retried"
    assert Message.objects.filter(inbox=inbox, source_id="<CAF-ayse-1@mail.example.com>"
                                  ).exists()
    # the junk stays waiting on retry, with its reason; delete removes its bytes
    response = api(personas.olivia).post(f"/api/v1/email/dead-letters/{other.pk}/retry")
    assert response.status_code == 200 and response.json()["status"] == "new"
    assert response.json()["attempts"] == 2
    olivia.post(reverse("settings:email_dead_letter_delete", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == "deleted"
    assert olivia.get(reverse("settings:email_dead_letter_raw", args=[other.pk])
                      ).status_code == 404
    # another account sees none of it
    listed = api(personas.bruno).get("/api/v1/email/dead-letters").json()
    assert listed == []
    assert DeadLetter.objects.filter(account=personas.harbor).count() == 2
