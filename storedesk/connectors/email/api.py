"""REST API of the email channel (admins and owners, like the other connector settings):

- ``GET|PUT /inboxes/{id}/email/settings``: the inbox's address, sender name, signature, IMAP
  and SMTP settings. Passwords are write-only (``password_set`` says one is stored; an empty or
  missing password keeps it).
- ``POST /inboxes/{id}/email/test-connection``: the stored settings, probed step by step.
- ``GET /email/dead-letters``, ``POST /email/dead-letters/{id}/retry``,
  ``DELETE /email/dead-letters/{id}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from storedesk.accounts.models import Membership
from storedesk.accounts.permissions import Perm, require
from storedesk.connectors import actions
from storedesk.connectors.email import dead_letters, probe
from storedesk.connectors.email.config import (
    DEFAULT_PORTS,
    IMAP_PORTS,
    EmailConfig,
    ImapSettings,
    SmtpSettings,
)
from storedesk.connectors.email.models import DeadLetter, DeadLetterStatus
from storedesk.connectors.secrets import seal
from storedesk.core.errors import ActionError
from storedesk.core.lookup import get_or_404
from storedesk.core.validation import SafeStr
from storedesk.inbox.models import Inbox
from storedesk.inbox.queries import get_inbox

router = Router(tags=["email"])
MAX_LETTERS = 100
SecurityIn = Literal["none", "starttls", "tls"]


class ImapIn(Schema):
    host: SafeStr = Field(..., min_length=1, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    security: SecurityIn = "tls"
    username: SafeStr = Field("", max_length=255)
    password: SafeStr | None = Field(None, max_length=255, description="Write-only.")
    folders: list[SafeStr] = Field(default_factory=lambda: ["INBOX"], max_length=10)


class SmtpIn(Schema):
    host: SafeStr = Field(..., min_length=1, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    security: SecurityIn = "starttls"
    username: SafeStr = Field("", max_length=255)
    password: SafeStr | None = Field(None, max_length=255, description="Write-only.")


class EmailSettingsIn(Schema):
    address: SafeStr = Field(..., min_length=3, max_length=254)
    from_name: SafeStr = Field("", max_length=100)
    signature: SafeStr = Field("", max_length=2000)
    plus_addressing: bool = False
    imap: ImapIn | None = None
    smtp: SmtpIn | None = None


class ServerOut(Schema):
    host: str
    port: int
    security: str
    username: str
    password_set: bool


class ImapOut(ServerOut):
    folders: list[str]
    auth: str


class EmailSettingsOut(Schema):
    inbox_id: int
    address: str
    from_name: str
    signature: str
    plus_addressing: bool
    imap: ImapOut | None
    smtp: ServerOut | None


class StepOut(Schema):
    server: str
    step: str
    ok: bool
    detail: str


class TestOut(Schema):
    ok: bool
    steps: list[StepOut]


class DeadLetterOut(Schema):
    id: int
    inbox_id: int
    source: str
    reason: str
    message_id: str
    sender: str
    subject: str
    size: int
    status: str
    attempts: int
    created_at: datetime


def _admin(request: HttpRequest) -> Membership:
    member: Membership = request.auth  # type: ignore[attr-defined]
    require(member, Perm.MANAGE_INTEGRATIONS)
    return member


def _email_inbox(request: HttpRequest, inbox_id: int) -> tuple[Membership, Inbox]:
    member = _admin(request)
    inbox = get_inbox(member, inbox_id)
    if inbox.channel != "email":
        raise ActionError("That inbox is not an email inbox.")
    return member, inbox


def _out(inbox: Inbox) -> dict[str, Any]:
    config = EmailConfig.model_validate(inbox.config or {})
    imap, smtp = config.imap, config.smtp
    return {
        "inbox_id": inbox.pk, "address": config.address, "from_name": config.from_name,
        "signature": config.signature, "plus_addressing": config.plus_addressing,
        "imap": None if imap is None else {
            "host": imap.host, "port": imap.effective_port, "security": imap.security,
            "username": imap.username, "password_set": bool(imap.password),
            "folders": imap.folders, "auth": imap.auth},
        "smtp": None if smtp is None else {
            "host": smtp.host, "port": smtp.effective_port, "security": smtp.security,
            "username": smtp.username, "password_set": bool(smtp.password)},
    }


@router.get("/inboxes/{inbox_id}/email/settings", response=EmailSettingsOut,
            url_name="email_settings")
def get_email_settings(request: HttpRequest, inbox_id: int) -> Any:
    _, inbox = _email_inbox(request, inbox_id)
    return _out(inbox)


@router.put("/inboxes/{inbox_id}/email/settings", response=EmailSettingsOut,
            url_name="email_settings_put")
def put_email_settings(request: HttpRequest, inbox_id: int, payload: EmailSettingsIn) -> Any:
    member, inbox = _email_inbox(request, inbox_id)
    current = EmailConfig.model_validate(inbox.config or {})
    imap = None
    if payload.imap is not None:
        stored = current.imap.password if current.imap is not None else None
        imap = ImapSettings(
            host=payload.imap.host.strip(),
            port=payload.imap.port or IMAP_PORTS[payload.imap.security],
            security=payload.imap.security, username=payload.imap.username.strip(),
            password=seal(payload.imap.password) if payload.imap.password else stored,
            folders=payload.imap.folders,
            auth=current.imap.auth if current.imap is not None else "password")
    smtp = None
    if payload.smtp is not None:
        stored = current.smtp.password if current.smtp is not None else None
        smtp = SmtpSettings(
            host=payload.smtp.host.strip(),
            port=payload.smtp.port or DEFAULT_PORTS[payload.smtp.security],
            security=payload.smtp.security, username=payload.smtp.username.strip(),
            password=seal(payload.smtp.password) if payload.smtp.password else stored)
    config = {
        **current.stored(), "address": payload.address, "from_name": payload.from_name,
        "signature": payload.signature, "plus_addressing": payload.plus_addressing,
        "imap": imap.model_dump(mode="json", exclude_none=True) if imap else None,
        "smtp": smtp.model_dump(mode="json", exclude_none=True) if smtp else None,
    }
    inbox = actions.change_inbox_setup(inbox, name=inbox.name, config=config, team=inbox.team,
                                       by=member.agent)
    return _out(inbox)


@router.post("/inboxes/{inbox_id}/email/test-connection", response=TestOut,
             url_name="email_test_connection")
def test_email_connection(request: HttpRequest, inbox_id: int) -> Any:
    """Probe the stored IMAP and SMTP settings: DNS, connect, TLS, login, folders."""
    _, inbox = _email_inbox(request, inbox_id)
    steps = probe.check(EmailConfig.model_validate(inbox.config or {}))
    return {"ok": all(s.ok for s in steps), "steps": [s.as_dict() for s in steps]}


@router.get("/email/dead-letters", response=list[DeadLetterOut], url_name="email_dead_letters")
def list_dead_letters(request: HttpRequest, status: SafeStr | None = None) -> Any:
    """Newest first, at most 100; `status` is new, retried or deleted."""
    member = _admin(request)
    rows = DeadLetter.objects.filter(account_id=member.account_id)
    if status:
        if status not in DeadLetterStatus.values:
            raise ActionError("status is one of new, retried, deleted.")
        rows = rows.filter(status=status)
    return list(rows.order_by("-created_at", "-pk")[:MAX_LETTERS])


def _letter(member: Membership, dead_letter_id: int) -> DeadLetter:
    return get_or_404(DeadLetter.objects.filter(account_id=member.account_id)
                      .select_related("inbox"), "Dead letter", pk=dead_letter_id)


@router.post("/email/dead-letters/{dead_letter_id}/retry", response=DeadLetterOut,
             url_name="email_dead_letter_retry")
def retry_dead_letter(request: HttpRequest, dead_letter_id: int) -> Any:
    member = _admin(request)
    return dead_letters.retry(_letter(member, dead_letter_id), by=member.agent)


@router.delete("/email/dead-letters/{dead_letter_id}", response={204: None},
               url_name="email_dead_letter_delete")
def delete_dead_letter(request: HttpRequest, dead_letter_id: int) -> Any:
    member = _admin(request)
    dead_letters.delete(_letter(member, dead_letter_id), by=member.agent)
    return Status(204, None)
