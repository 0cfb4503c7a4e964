"""OAuth 2.0 sign-in for a mailbox, end to end against a local authorization server, Dovecot's
oauth2 passdb (XOAUTH2 checked by token introspection) and an aiosmtpd server speaking XOAUTH2:
the admin signs in from the settings page, mail is fetched and replies are sent without any
password, and an expired access token is refreshed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.connectors.email import imap
from storedesk.connectors.email.config import EmailConfig, uses_oauth
from storedesk.connectors.email.tests.mailbuilder import mail
from storedesk.connectors.secrets import reveal, seal
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Inbox, Message
from storedesk.testing.dovecot import DovecotServer
from storedesk.testing.oauth_server import LocalOAuthServer
from storedesk.testing.smtp_server import LocalSmtpServer

USER = "oauth@harbor.test"


@pytest.fixture
def auth() -> Iterator[LocalOAuthServer]:
    with LocalOAuthServer(client_id="storedesk-app", client_secret="app-secret",
                          user=USER) as server:
        yield server


@pytest.fixture
def oauth_dovecot(auth) -> Iterator[DovecotServer]:
    # password logins exist too, but the inbox will not know the password
    with DovecotServer(users={USER: "not-known-to-storedesk"},
                       oauth2_url=auth.introspect_url) as server:
        yield server


@pytest.fixture
def oauth_smtp(auth, settings) -> Iterator[LocalSmtpServer]:
    settings.FETCH_ALLOW_PRIVATE = True

    def check(user: str, token: str) -> bool:
        return user == USER and auth.access.get(token, 0) > time.time()

    with LocalSmtpServer(xoauth2=check) as server:
        yield server


@pytest.fixture
def olivia(personas) -> Client:
    client = Client()
    client.force_login(personas.olivia.agent)
    return client


def _sign_in(olivia: Client, inbox: Inbox, auth: LocalOAuthServer, dovecot, smtp) -> None:
    # Olivia enters the app's client id and secret with the servers, and saves
    form = {
        "name": inbox.name, "address": "support@harbor.test",
        "imap_host": "127.0.0.1", "imap_port": str(dovecot.port), "imap_security": "none",
        "imap_username": USER, "imap_folders": "INBOX",
        "smtp_host": "127.0.0.1", "smtp_port": str(smtp.port), "smtp_security": "none",
        "smtp_username": USER,
        "oauth_provider": "custom", "oauth_client_id": "storedesk-app",
        "oauth_client_secret": "app-secret", "oauth_authorize_url": auth.authorize_url,
        "oauth_token_url": auth.token_url,
    }
    saved = olivia.post(reverse("settings:inbox_edit", args=[inbox.pk]), form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    page = olivia.get(reverse("settings:inbox_edit", args=[inbox.pk])).content.decode()
    assert 'data-testid="oauth-start"' in page and "app-secret" not in page
    # she clicks "Sign in with the provider": off to its consent page
    start = olivia.post(reverse("settings:email_oauth_start", args=[inbox.pk]), form)
    assert start.status_code == 302 and start.url.startswith(auth.authorize_url)
    assert "code_challenge=" in start.url and "state=" in start.url
    # she consents; the provider sends her back with a code
    consent = httpx.get(start.url, follow_redirects=False)
    assert consent.status_code == 302
    back = consent.headers["location"]
    assert back.startswith("http://testserver/settings/email/oauth/callback/")
    done = olivia.get(back.removeprefix("http://testserver"))
    assert done.status_code == 302
    inbox.refresh_from_db()


def test_a_mailbox_signed_in_with_oauth_fetches_and_sends_without_a_password(
    personas, olivia, auth, oauth_dovecot, oauth_smtp, django_capture_on_commit_callbacks
):
    inbox = personas.harbor_email
    _sign_in(olivia, inbox, auth, oauth_dovecot, oauth_smtp)
    # then the tokens are stored sealed, and IMAP switched to XOAUTH2
    config = EmailConfig.model_validate(inbox.config)
    assert uses_oauth(config) and config.imap is not None and config.imap.auth == "oauth2"
    assert config.imap.password is None
    assert reveal(config.oauth.refresh_token).startswith("rt-")
    assert "rt-" not in str(inbox.config) and "at-" not in str(inbox.config)
    assert auth.grants == ["authorization_code"]
    # when a shopper's mail arrives, it is fetched with XOAUTH2 (Dovecot asked our server)
    oauth_dovecot.append(USER, mail())
    assert imap.fetch_mailbox(inbox).filed == 1
    assert auth.introspections >= 1
    # and the agent's reply leaves through SMTP with XOAUTH2
    message = Message.objects.get(inbox=inbox)
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(message.conversation, Actor.agent(personas.ahmet), "On its way!")
    reply.refresh_from_db()
    assert reply.delivery_status == "sent", reply.delivery_error
    assert oauth_smtp.logins == [USER]
    # the settings page's connection test passes, naming the method
    result = olivia.post(reverse("settings:email_test_connection", args=[inbox.pk]), {
        "address": "support@harbor.test", "imap_host": "127.0.0.1",
        "imap_port": str(oauth_dovecot.port), "imap_security": "none", "imap_username": USER,
        "imap_folders": "INBOX", "smtp_host": "127.0.0.1", "smtp_port": str(oauth_smtp.port),
        "smtp_security": "none", "smtp_username": USER, "oauth_provider": "custom",
        "oauth_client_id": "storedesk-app", "oauth_authorize_url": auth.authorize_url,
        "oauth_token_url": auth.token_url}).content.decode()
    assert 'data-ok="false"' not in result and "XOAUTH2" in result


def test_an_expired_access_token_is_refreshed(personas, olivia, auth, oauth_dovecot,
                                             oauth_smtp):
    inbox = personas.harbor_email
    _sign_in(olivia, inbox, auth, oauth_dovecot, oauth_smtp)
    # given the access token expired at the provider and by our clock
    auth.expire_access_tokens()
    config = dict(inbox.config)
    config["oauth"] = {**config["oauth"], "expires_at": 0}
    Inbox.objects.filter(pk=inbox.pk).update(config=config)
    inbox.refresh_from_db()
    old = reveal(inbox.config["oauth"]["access_token"])
    # when mail is fetched
    oauth_dovecot.append(USER, mail())
    assert imap.fetch_mailbox(inbox).filed == 1
    # then a refresh grant got a new token, which is stored (sealed)
    assert auth.grants == ["authorization_code", "refresh_token"]
    inbox.refresh_from_db()
    assert reveal(inbox.config["oauth"]["access_token"]) != old


def test_a_revoked_grant_is_a_login_failure(personas, auth, oauth_dovecot, settings):
    settings.FETCH_ALLOW_PRIVATE = True
    inbox = personas.harbor_email
    Inbox.objects.filter(pk=inbox.pk).update(config={
        "address": "support@harbor.test",
        "imap": {**oauth_dovecot.imap_settings(USER, None), "auth": "oauth2"},
        "oauth": {"provider": "custom", "client_id": "storedesk-app",
                  "client_secret": seal("app-secret"), "authorize_url": auth.authorize_url,
                  "token_url": auth.token_url, "refresh_token": seal("rt-revoked"),
                  "expires_at": 0}})
    inbox.refresh_from_db()
    with pytest.raises(imap.MailboxError) as error:
        imap.fetch_mailbox(inbox)
    assert error.value.step == "login" and "invalid_grant" in error.value.message


def test_the_callback_refuses_a_forged_state(personas, olivia):
    response = olivia.get(reverse("settings:email_oauth_callback") + "?code=x&state=forged")
    assert response.status_code == 302
    assert not uses_oauth(EmailConfig.model_validate(personas.harbor_email.config))
