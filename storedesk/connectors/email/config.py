"""Email-channel settings: the inbox's address and, optionally, its own SMTP server.

The SMTP password is `Sealed` (encrypted at rest, connectors/secrets.py); the settings form
never shows it back, and leaving it empty keeps the stored one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from storedesk.connectors.base import ChannelConfig, SetupForm
from storedesk.connectors.fields import Sealed
from storedesk.connectors.secrets import masked, seal

Security = Literal["none", "starttls", "tls"]
DEFAULT_PORTS = {"tls": 465, "starttls": 587, "none": 25}


class SmtpSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    host: str = ""  # "" = send with the server's own mail setup (Django's EMAIL_BACKEND)
    port: Annotated[int | None, Field(ge=1, le=65535)] = None
    security: Security = "starttls"
    username: str = ""
    password: Sealed | None = None
    from_address: str = ""

    @field_validator("password", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return value or None

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


IMAP_PORTS = {"tls": 993, "starttls": 143, "none": 143}
AuthMethod = Literal["password", "oauth2"]


class OAuthSettings(BaseModel):
    """An OAuth 2.0 grant for XOAUTH2 on IMAP and SMTP (Google Workspace, Microsoft 365, or
    any authorization server with the same endpoints). Tokens are sealed."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    provider: Literal["google", "microsoft", "custom"] = "google"
    client_id: str = ""
    client_secret: Sealed | None = None
    authorize_url: str = ""
    token_url: str = ""
    scope: str = ""
    refresh_token: Sealed | None = None
    access_token: Sealed | None = None
    expires_at: float = 0.0  # unix time


class ImapSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    host: str = ""
    port: Annotated[int | None, Field(ge=1, le=65535)] = None
    security: Security = "tls"
    username: str = ""
    password: Sealed | None = None
    folders: list[str] = Field(default_factory=lambda: ["INBOX"])
    auth: AuthMethod = "password"

    @field_validator("password", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return value or None

    @field_validator("folders", mode="before")
    @classmethod
    def _folders(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [f.strip() for f in value.replace(",", "\n").splitlines()]
        folders = [str(f).strip() for f in (value or []) if str(f).strip()]
        for folder in folders:
            if any(c in folder for c in "\r\n\x00") or len(folder) > 200:
                raise ValueError("A folder name may not contain line breaks.")
        return folders[:10] or ["INBOX"]

    @property
    def effective_port(self) -> int:
        return self.port or IMAP_PORTS[self.security]


class EmailConfig(ChannelConfig):
    address: str = ""
    smtp: SmtpSettings | None = None
    imap: ImapSettings | None = None
    oauth: OAuthSettings | None = None
    # Shown as "Agent name (from_name)" in From; the inbox name when empty.
    from_name: str = ""
    # Appended to every reply (plain text, after the RFC 3676 delimiter "-- ").
    signature: str = ""
    # Reply-To carries a signed conversation token (support+sd-42-…@shop): only for mail
    # servers that deliver plus-addresses to the same mailbox.
    plus_addressing: bool = False
    # Outgoing mail is written to files in $STOREDESK_DATA_DIR/sent-mail/ and never sent (the
    # demo's inbox: its shoppers are made up, and a configured SMTP server must not mail them).
    local_only: bool = False

    @field_validator("address")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower()
        if value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValueError("An email inbox needs a valid address.") from exc
        return value


def uses_oauth(config: EmailConfig) -> bool:
    """Signed in with OAuth: IMAP and SMTP authenticate with XOAUTH2."""
    oauth = config.oauth
    return oauth is not None and (oauth.refresh_token is not None
                                  or oauth.access_token is not None)


SMTP_SECURITY_CHOICES = [("starttls", "STARTTLS"), ("tls", "SSL/TLS"),
                         ("none", _("None (not encrypted)"))]


IMAP_SECURITY_CHOICES = [("tls", "SSL/TLS"), ("starttls", "STARTTLS"),
                         ("none", _("None (not encrypted)"))]


def _password_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=255, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
    )


class EmailSetupForm(SetupForm):
    address = forms.EmailField(label=_("Email address"))
    from_name = forms.CharField(label=_("Sender name"), required=False, max_length=100,
                                help_text=_("Shown after the agent's name; the inbox name "
                                            "when empty."))
    signature = forms.CharField(label=_("Signature"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    imap_host = forms.CharField(label=_("IMAP host"), required=False, max_length=255,
                                help_text=_("Leave empty to receive mail only through the "
                                            "raw MIME endpoint or the SMTP listener."))
    imap_port = forms.IntegerField(label=_("IMAP port"), required=False, min_value=1,
                                   max_value=65535)
    imap_security = forms.ChoiceField(label=_("IMAP security"), choices=IMAP_SECURITY_CHOICES,
                                      required=False, initial="tls")
    imap_username = forms.CharField(label=_("IMAP username"), required=False, max_length=255)
    imap_password = _password_field(_("IMAP password or app password"))
    imap_folders = forms.CharField(label=_("Folders to watch"), required=False, max_length=500,
                                   initial="INBOX", help_text=_("Comma-separated."))
    smtp_host = forms.CharField(label=_("SMTP host"), required=False, max_length=255,
                                help_text=_("Leave empty to send with the server's mail setup."))
    smtp_port = forms.IntegerField(label=_("SMTP port"), required=False, min_value=1,
                                   max_value=65535)
    smtp_username = forms.CharField(label=_("SMTP username"), required=False, max_length=255)
    smtp_password = _password_field(_("SMTP password"))
    smtp_security = forms.ChoiceField(label=_("SMTP security"), choices=SMTP_SECURITY_CHOICES,
                                      required=False, initial="starttls")
    oauth_provider = forms.ChoiceField(
        label=_("Sign in with OAuth 2.0"), required=False, initial="",
        choices=[("", _("No (password)")), ("google", "Google Workspace / Gmail"),
                 ("microsoft", "Microsoft 365"), ("custom", _("Other OAuth 2.0 server"))],
        help_text=_("Register Storedesk as an app with the provider, enter its client id and "
                    "secret, save, then sign in."))
    oauth_client_id = forms.CharField(label=_("OAuth client id"), required=False,
                                      max_length=255)
    oauth_client_secret = _password_field(_("OAuth client secret"))
    oauth_authorize_url = forms.URLField(label=_("Authorize URL (other servers)"),
                                         required=False, max_length=500)
    oauth_token_url = forms.URLField(label=_("Token URL (other servers)"), required=False,
                                     max_length=500)
    plus_addressing = forms.BooleanField(
        label=_("Reply-To with a signed conversation address (support+sd-…@)"), required=False,
        help_text=_("Only when your mail server delivers plus-addresses to this mailbox."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        oauth = getattr(self.current, "oauth", None)
        for field, stored in (("smtp_password", self._stored_password()),
                              ("imap_password", self._stored_imap_password()),
                              ("oauth_client_secret", oauth.client_secret if oauth else None)):
            if stored:
                # Say that one is stored, never what it is.
                self.fields[field].widget.attrs["placeholder"] = masked(stored)

    def _stored_password(self) -> str | None:
        smtp = getattr(self.current, "smtp", None)
        return smtp.password if smtp is not None else None

    def _stored_imap_password(self) -> str | None:
        imap = getattr(self.current, "imap", None)
        return imap.password if imap is not None else None

    def initial_from(self, config: Any) -> dict[str, Any]:
        smtp = config.smtp or SmtpSettings()
        imap = config.imap or ImapSettings()
        return {"address": config.address, "from_name": config.from_name,
                "signature": config.signature, "plus_addressing": config.plus_addressing,
                "smtp_host": smtp.host, "smtp_port": smtp.port,
                "smtp_username": smtp.username, "smtp_security": smtp.security,
                "imap_host": imap.host, "imap_port": imap.port, "imap_security": imap.security,
                "imap_username": imap.username, "imap_folders": ", ".join(imap.folders),
                **({"oauth_provider": config.oauth.provider,
                    "oauth_client_id": config.oauth.client_id,
                    "oauth_authorize_url": config.oauth.authorize_url,
                    "oauth_token_url": config.oauth.token_url} if config.oauth else {})}

    def _oauth(self, stored: OAuthSettings | None) -> OAuthSettings | None:
        data = self.cleaned_data
        provider: Any = data.get("oauth_provider") or ""
        if not provider:
            return None
        client_id = (data.get("oauth_client_id") or "").strip()
        plain = data.get("oauth_client_secret") or ""
        same_app = (stored is not None and stored.provider == provider
                    and stored.client_id == client_id)
        return OAuthSettings(
            provider=provider, client_id=client_id,
            client_secret=seal(plain) if plain else (stored.client_secret if stored else None),
            authorize_url=data.get("oauth_authorize_url") or "",
            token_url=data.get("oauth_token_url") or "",
            scope=stored.scope if stored else "",
            # the grant stays while the app is the same one
            refresh_token=stored.refresh_token if same_app and stored else None,
            access_token=stored.access_token if same_app and stored else None,
            expires_at=stored.expires_at if same_app and stored else 0.0,
        )

    def clean_imap_folders(self) -> list[str]:
        try:
            raw: Any = self.cleaned_data.get("imap_folders") or "INBOX"
            return ImapSettings(folders=raw).folders
        except ValueError as exc:
            raise ValidationError(_("A folder name may not contain line breaks.")) from exc

    def to_config(self) -> EmailConfig:
        data = self.cleaned_data
        current = self.current if isinstance(self.current, EmailConfig) else None
        smtp = None
        host = (data.get("smtp_host") or "").strip()
        if host:
            security = cast(Security, data.get("smtp_security") or "starttls")
            plain = data.get("smtp_password") or ""
            smtp = SmtpSettings(
                host=host, port=data.get("smtp_port") or DEFAULT_PORTS[security],
                security=security, username=(data.get("smtp_username") or "").strip(),
                password=seal(plain) if plain else self._stored_password(),
            )
        imap = None
        imap_host = (data.get("imap_host") or "").strip()
        if imap_host:
            imap_security = cast(Security, data.get("imap_security") or "tls")
            plain = data.get("imap_password") or ""
            stored_imap = current.imap if current is not None else None
            imap = ImapSettings(
                host=imap_host, port=data.get("imap_port") or IMAP_PORTS[imap_security],
                security=imap_security, username=(data.get("imap_username") or "").strip(),
                password=seal(plain) if plain else self._stored_imap_password(),
                folders=list(data.get("imap_folders") or ["INBOX"]),
                auth=stored_imap.auth if stored_imap is not None else "password",
            )
        return EmailConfig(
            address=data["address"], smtp=smtp, imap=imap,
            oauth=self._oauth(current.oauth if current is not None else None),
            from_name=" ".join((data.get("from_name") or "").split()),
            signature=(data.get("signature") or "").replace("\r\n", "\n").strip(),
            plus_addressing=bool(data.get("plus_addressing")),
            local_only=current.local_only if current is not None else False,
        )
