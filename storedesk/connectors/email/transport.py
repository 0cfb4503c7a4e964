"""Email inboxes: a reply leaves as an SMTP message threaded under the shopper's last email.

SMTP settings come from the inbox's typed config (`EmailConfig.smtp`: host, port, username,
sealed password, security "none" | "starttls" | "tls", from_address); without a host Django's
default EMAIL_BACKEND is used (files or the console in the demo). The password is revealed only
here, at send time.

The Message-ID is derived from the delivery (``<sd.{delivery_id}.{account_id}@{domain}>``), so a
retry of the same delivery repeats the same Message-ID and mail clients show one message even if
a worker died after the server accepted the first copy. SMTP 5xx answers fail permanently (the
agent sees why); 4xx answers and connection problems are retried.
"""

from __future__ import annotations

import re
import smtplib
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from pydantic import ValidationError as SchemaError

from storedesk.connectors.base import SendResult, TransportError
from storedesk.connectors.email.config import EmailConfig, SmtpSettings
from storedesk.connectors.secrets import SecretUnreadable, reveal
from storedesk.core.safe_fetch import FetchError, resolve_checked
from storedesk.core.sanitize import sanitize_html
from storedesk.inbox.storage import attachment_path

if TYPE_CHECKING:
    from storedesk.inbox.models import Delivery, Message

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_SMTP_TIMEOUT = 30.0
MAX_REFERENCES = 20
MESSAGE_ID_RE = re.compile(r"^<?[^<>\s@]+@[^<>\s@]+>?$")


def is_message_id(value: str | None) -> bool:
    return value is not None and bool(MESSAGE_ID_RE.match(value.strip()))


def bracketed(value: str) -> str:
    return "<" + value.strip().strip("<>") + ">"


def _valid_email(value: str | None) -> str | None:
    value = (value or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        return None
    return value


def recipient(message: Message) -> str:
    conversation = message.conversation
    address = _valid_email(conversation.contact.email) or _valid_email(
        conversation.identity.source_id
    )
    if address is None:
        raise TransportError(
            "The contact has no email address; add one to the contact and retry.", permanent=True
        )
    return address


def from_address(smtp: SmtpSettings, config: EmailConfig, inbox_name: str) -> str:
    address = (smtp.from_address or config.address or "").strip()
    if not address:
        return settings.DEFAULT_FROM_EMAIL
    if "<" in address:
        return address
    return f"{inbox_name} <{address}>" if inbox_name else address


def message_id_for(delivery: Delivery, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower() or "storedesk.local"
    domain = re.sub(r"[^a-z0-9.-]", "", domain) or "storedesk.local"
    return f"<sd.{delivery.pk}.{delivery.account_id}@{domain}>"


def subject_for(message: Message) -> str:
    conversation = message.conversation
    subject = " ".join((conversation.subject or "").split())
    if not subject:
        return f"{message.inbox.name}: conversation #{conversation.display_id}"
    if subject.lower().startswith("re:"):
        return subject
    return f"Re: {subject}"


def thread_headers(message: Message) -> dict[str, str]:
    """In-Reply-To the latest incoming email, References to the thread so far."""
    from storedesk.inbox.models import Delivery, Direction

    earlier = message.conversation.messages.filter(pk__lt=message.pk, private=False)
    incoming = list(
        earlier.filter(direction=Direction.INCOMING)
        .exclude(source_id=None)
        .order_by("-created_at", "-pk")
        .values_list("pk", "source_id")[:MAX_REFERENCES]
    )
    ids: list[tuple[int, str]] = [
        (pk, bracketed(source_id))
        for pk, source_id in incoming
        if source_id is not None and is_message_id(source_id)
    ]
    if not ids:
        return {}
    in_reply_to = ids[0][1]
    outgoing = (
        Delivery.objects.filter(
            message__in=earlier.filter(direction=Direction.OUTGOING), status="sent"
        )
        .exclude(provider_message_id="")
        .values_list("message_id", "provider_message_id")
    )
    ids += [(pk, bracketed(mid)) for pk, mid in outgoing[:MAX_REFERENCES] if is_message_id(mid)]
    ids.sort()
    references = " ".join(dict.fromkeys(mid for _, mid in ids[-MAX_REFERENCES:]))
    return {"In-Reply-To": in_reply_to, "References": references}


def _local_files() -> Any:
    """A mail connection that writes files in the data dir (nothing leaves the machine)."""
    return get_connection(
        "django.core.mail.backends.filebased.EmailBackend",
        fail_silently=False,
        file_path=str(settings.DATA_DIR / "sent-mail"),
    )


def _connection(smtp: SmtpSettings) -> Any:
    host = smtp.host.strip()
    if not host:  # no own server configured
        return get_connection(fail_silently=False)
    security = smtp.security
    port = smtp.effective_port
    try:
        password = reveal(smtp.password) if smtp.password else None
    except SecretUnreadable as exc:
        raise TransportError(
            f"The inbox's SMTP password cannot be read ({exc}); enter it again in the inbox "
            "settings.",
            permanent=True,
        ) from exc
    try:
        # The same address rules as safe_fetch: an inbox's settings must not reach into our
        # private network. (SMTP cannot pin the IP without breaking TLS name checks.)
        resolve_checked(host, port)
    except FetchError as exc:
        raise TransportError(
            f"SMTP server refused: {exc.message}", permanent=exc.permanent
        ) from exc
    return get_connection(
        SMTP_BACKEND,
        fail_silently=False,
        host=host,
        port=port,
        username=smtp.username or None,
        password=password,
        use_tls=security == "starttls",
        use_ssl=security == "tls",
        timeout=float(getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT),
    )


def build_email(
    delivery: Delivery, connection: Any, config: EmailConfig, smtp: SmtpSettings
) -> Any:
    message = delivery.message
    inbox = message.inbox
    sender = from_address(smtp, config, inbox.name)
    message_id = message_id_for(delivery, sender)
    headers = {"Message-ID": message_id, **thread_headers(message)}
    if message.sender_type == "bot":
        headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: other bots must not answer it
    email = EmailMultiAlternatives(
        subject=subject_for(message),
        body=message.text,
        from_email=sender,
        to=[recipient(message)],
        headers=headers,
        connection=connection,
    )
    html = sanitize_html(message.html)
    if html:
        email.attach_alternative(html, "text/html")
    for attachment in message.attachments.all().order_by("pk"):
        try:
            content = attachment_path(attachment.storage_key).read_bytes()
        except (OSError, ValueError) as exc:
            raise TransportError(
                f"Attachment {attachment.filename!r} is missing: {exc}", permanent=True
            ) from exc
        email.attach(attachment.filename, content, attachment.content_type)
    return email, message_id


class SmtpTransport:
    def send(self, delivery: Delivery) -> SendResult:
        message = delivery.message
        if message.private:
            raise TransportError("Private notes are never sent to the shopper.", permanent=True)
        try:
            config = EmailConfig.model_validate(message.inbox.config or {})
        except SchemaError as exc:
            raise TransportError(
                "The inbox's email settings are invalid; save them again in the inbox settings.",
                permanent=True,
            ) from exc
        smtp = config.smtp or SmtpSettings()
        connection = _local_files() if config.local_only else _connection(smtp)
        email, message_id = build_email(delivery, connection, config, smtp)
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(
                f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()
            )
            raise TransportError(
                f"The mail server refused the recipient: {detail}",
                permanent=all(c >= 500 for c in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise TransportError(
                f"The mail server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:  # incl. timeouts, refused connections
            raise TransportError(
                f"Could not talk to the mail server: {exc}", permanent=False
            ) from exc
        return SendResult(provider_message_id=message_id)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
