"""OAuth 2.0 sign-in for mailboxes (Google Workspace / Gmail, Microsoft 365, or any server with
the same endpoints): authorization code with PKCE, tokens sealed in the inbox config, refresh
before expiry, and SASL XOAUTH2 for IMAP and SMTP.

The providers' documented endpoints and scopes are the presets below; "custom" takes them from
the inbox's settings (tests point them at a local authorization server). Token requests go
through `safe_fetch` like every outbound HTTP call.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import transaction

from storedesk.connectors.email.config import EmailConfig, OAuthSettings
from storedesk.connectors.secrets import reveal, seal
from storedesk.core.errors import ActionError
from storedesk.core.safe_fetch import FetchError, safe_fetch
from storedesk.inbox.models import Inbox

REFRESH_MARGIN_SECONDS = 120


@dataclass(frozen=True)
class Provider:
    authorize_url: str
    token_url: str
    scope: str
    extra: tuple[tuple[str, str], ...] = ()


PROVIDERS = {
    # Google: developers.google.com/identity/protocols/oauth2/web-server and
    # developers.google.com/gmail/imap/xoauth2-protocol
    "google": Provider("https://accounts.google.com/o/oauth2/v2/auth",
                       "https://oauth2.googleapis.com/token", "https://mail.google.com/",
                       (("access_type", "offline"), ("prompt", "consent"))),
    # Microsoft: learn.microsoft.com/exchange/client-developer/legacy-protocols/
    # how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
    "microsoft": Provider(
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        "https://outlook.office.com/IMAP.AccessAsUser.All "
        "https://outlook.office.com/SMTP.Send offline_access"),
}


class OAuthError(ActionError):
    """The authorization server refused or could not be reached (shown to the admin)."""


def provider_for(oauth: OAuthSettings) -> Provider:
    if oauth.provider in PROVIDERS:
        preset = PROVIDERS[oauth.provider]
        return Provider(oauth.authorize_url or preset.authorize_url,
                        oauth.token_url or preset.token_url, oauth.scope or preset.scope,
                        preset.extra)
    if not oauth.authorize_url or not oauth.token_url:
        raise OAuthError("A custom OAuth provider needs its authorize and token URLs.")
    return Provider(oauth.authorize_url, oauth.token_url, oauth.scope)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorization_url(oauth: OAuthSettings, *, redirect_uri: str, state: str,
                      challenge: str) -> str:
    provider = provider_for(oauth)
    query = {"response_type": "code", "client_id": oauth.client_id,
             "redirect_uri": redirect_uri, "scope": provider.scope, "state": state,
             "code_challenge": challenge, "code_challenge_method": "S256", **dict(provider.extra)}
    return f"{provider.authorize_url}?{urlencode(query)}"


def _token_request(oauth: OAuthSettings, form: dict[str, str]) -> dict[str, Any]:
    provider = provider_for(oauth)
    secret = reveal(oauth.client_secret) if oauth.client_secret else ""
    body = urlencode({"client_id": oauth.client_id, "client_secret": secret, **form}).encode()
    try:
        response = safe_fetch("POST", provider.token_url, content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    except FetchError as exc:
        raise OAuthError(f"The token endpoint could not be reached: {exc.message}") from exc
    try:
        data = json.loads(response.content)
    except ValueError as exc:
        raise OAuthError(f"The token endpoint answered {response.status_code} "
                         "without JSON.") from exc
    if response.status_code >= 400 or "access_token" not in data:
        error = data.get("error_description") or data.get("error") or response.status_code
        raise OAuthError(f"The authorization server refused: {error}")
    return dict(data)


def _with_tokens(oauth: OAuthSettings, data: dict[str, Any]) -> OAuthSettings:
    refresh = data.get("refresh_token")
    return oauth.model_copy(update={
        "access_token": seal(str(data["access_token"])),
        "refresh_token": seal(str(refresh)) if refresh else oauth.refresh_token,
        "expires_at": time.time() + float(data.get("expires_in") or 3600),
    })


def _save(inbox: Inbox, oauth: OAuthSettings) -> None:
    from storedesk.inbox.actions import replace_inbox_config

    with transaction.atomic():
        locked = Inbox.objects.select_for_update().get(pk=inbox.pk)
        config = dict(locked.config or {})
        config["oauth"] = oauth.model_dump(mode="json", exclude_none=True)
        replace_inbox_config(locked, config)
    inbox.refresh_from_db()


def exchange_code(inbox: Inbox, *, code: str, redirect_uri: str, verifier: str,
                  by: Any = None) -> None:
    """The authorization code (from the callback) -> tokens, stored sealed; IMAP and SMTP are
    switched to XOAUTH2."""
    config = EmailConfig.model_validate(inbox.config or {})
    if config.oauth is None:
        raise OAuthError("Save the OAuth client settings first.")
    data = _token_request(config.oauth, {"grant_type": "authorization_code", "code": code,
                                         "redirect_uri": redirect_uri,
                                         "code_verifier": verifier})
    _save(inbox, _with_tokens(config.oauth, data))
    from storedesk.accounts.actions import audit

    audit("email.oauth_signed_in", account=inbox.account_id, actor=by, obj=inbox,
          provider=config.oauth.provider)
    config = EmailConfig.model_validate(inbox.config or {})
    if config.imap is not None and config.imap.auth != "oauth2":
        from storedesk.inbox.actions import replace_inbox_config

        updated = dict(inbox.config)
        updated["imap"] = {**updated["imap"], "auth": "oauth2"}
        replace_inbox_config(inbox, updated)
        inbox.refresh_from_db()


def access_token(config: EmailConfig, *, inbox: Inbox | None = None) -> str:
    """A live access token: the stored one, or a refreshed one (stored when `inbox` is given)."""
    oauth = config.oauth
    if oauth is None or (oauth.access_token is None and oauth.refresh_token is None):
        raise OAuthError("This mailbox is not signed in with OAuth yet.")
    if oauth.access_token is not None and oauth.expires_at > time.time() + REFRESH_MARGIN_SECONDS:
        return reveal(oauth.access_token)
    if oauth.refresh_token is None:
        raise OAuthError("The access token expired and there is no refresh token: sign in "
                         "again.")
    data = _token_request(oauth, {"grant_type": "refresh_token",
                                  "refresh_token": reveal(oauth.refresh_token)})
    renewed = _with_tokens(oauth, data)
    if inbox is not None:
        _save(inbox, renewed)
    return str(data["access_token"])


def xoauth2_string(user: str, token: str) -> str:
    return base64.b64encode(f"user={user}\x01auth=Bearer {token}\x01\x01".encode()).decode()


def smtp_xoauth2(client: Any, user: str, token: str) -> None:
    """AUTH XOAUTH2 on an open smtplib connection (after EHLO/STARTTLS)."""
    import smtplib

    code, answer = client.docmd("AUTH", "XOAUTH2 " + xoauth2_string(user, token))
    if code == 334:  # the server sent an error challenge: finish the exchange
        code, answer = client.docmd("")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)
