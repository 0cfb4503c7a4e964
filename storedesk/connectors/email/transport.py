"""Email inboxes: a reply leaves as an SMTP message threaded under the shopper's last email.

SMTP settings come from the inbox's typed config (`EmailConfig.smtp`: host, port, username,
sealed password, security "none" | "starttls" | "tls", from_address); without a host Django's
default EMAIL_BACKEND is used (files or the console in the demo). The password is revealed only
here, at send time.

The Message-ID is derived from the delivery and signed (``<sd.{conversation}.{delivery}.{hmac}
@{domain}>``, threads.py), so a retry of the same delivery repeats the same Message-ID and mail
clients show one message even if a worker died after the server accepted the first copy, and a
reply to it threads only when the signature verifies. From carries the agent's name and the
inbox's brand; every header value is one line (names, subjects and file names lose CR/LF, so
no header can be injected); the inbox signature follows "-- ". Automatic mail (bot, system)
carries Auto-Submitted and is refused when it would answer automatic mail or exceed the
recipient's daily cap (loops.py). SMTP 5xx answers fail permanently (the
agent sees why); 4xx answers and connection problems are retried.
"""

from __future__ import annotations

import re
import smtplib
from email.utils import formataddr, parseaddr
from html import escape
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.core.validators import validate_email
from pydantic import ValidationError as SchemaError

from storedesk.connectors.base import OutgoingMail, SendResult, TransportError
from storedesk.connectors.email import loops, participants, threads
from storedesk.connectors.email.config import EmailConfig, SmtpSettings, uses_oauth
from storedesk.connectors.email.oauth import OAuthError, access_token, smtp_xoauth2
from storedesk.connectors.email.parsing import clean_header
from storedesk.connectors.secrets import reveal
from storedesk.core.safe_fetch import FetchError, resolve_checked
from storedesk.core.sanitize import sanitize_html
from storedesk.core.sealing import Unreadable
from storedesk.inbox.storage import attachment_path

if TYPE_CHECKING:
    from storedesk.inbox.models import Delivery, Inbox, Message

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


def _one_line(value: str, limit: int = 200) -> str:
    """A header value that cannot start a new header (CR, LF and other controls removed)."""
    return " ".join(clean_header(value or "").split())[:limit]


def sender_name(message: Message, config: EmailConfig) -> str:
    """ "Ahmet (Harbor & Vine Support)" for an agent's reply, the brand alone otherwise."""
    brand = _one_line(config.from_name or message.inbox.name)
    agent = message.sender_agent if message.sender_type == "agent" else None
    if agent is not None:
        name = _one_line(agent.display_name)
        if name and brand:
            return f"{name} ({brand})"
        return name or brand
    return brand


def from_address(smtp: SmtpSettings, config: EmailConfig, name: str) -> str:
    address = (smtp.from_address or config.address or "").strip()
    if not address:
        return settings.DEFAULT_FROM_EMAIL
    if "<" in address:  # an operator's "Name <address>"
        parsed_name, parsed_address = parseaddr(address)
        address, name = parsed_address, parsed_name or name
    return formataddr((_one_line(name), address)) if name else address


def message_id_for(delivery: Delivery, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower() or "storedesk.local"
    return threads.message_id(delivery.message.conversation_id, delivery.pk, domain)


def subject_for(message: Message) -> str:
    conversation = message.conversation
    subject = _one_line(conversation.subject or "", 255)
    if not subject:
        return _one_line(f"{message.inbox.name}: conversation #{conversation.display_id}")
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


class XOAuth2Backend(EmailBackend):
    """Django's SMTP backend, authenticating with SASL XOAUTH2 instead of a password."""

    def __init__(self, *, oauth_user: str, oauth_token: str, **kwargs: Any) -> None:
        super().__init__(username=None, password=None, **kwargs)
        self.oauth_user, self.oauth_token = oauth_user, oauth_token

    def open(self) -> bool | None:
        opened = super().open()
        if opened and self.connection is not None:
            self.connection.ehlo_or_helo_if_needed()
            smtp_xoauth2(self.connection, self.oauth_user, self.oauth_token)
        return opened


def _connection(smtp: SmtpSettings, config: EmailConfig | None = None,
                inbox: Any = None) -> Any:
    host = smtp.host.strip()
    if not host:  # no own server configured
        return get_connection(fail_silently=False)
    security = smtp.security
    port = smtp.effective_port
    try:
        password = reveal(smtp.password) if smtp.password else None
    except Unreadable as exc:
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
    timeout = float(getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT)
    if config is not None and uses_oauth(config):
        try:
            token = access_token(config, inbox=inbox)
        except OAuthError as exc:
            raise TransportError(f"OAuth sign-in of the mailbox failed: {exc.detail}",
                                 permanent=False) from exc
        return XOAuth2Backend(
            oauth_user=smtp.username or config.address, oauth_token=token, host=host,
            port=port, use_tls=security == "starttls", use_ssl=security == "tls",
            timeout=timeout, fail_silently=False)
    return get_connection(
        SMTP_BACKEND,
        fail_silently=False,
        host=host,
        port=port,
        username=smtp.username or None,
        password=password,
        use_tls=security == "starttls",
        use_ssl=security == "tls",
        timeout=timeout,
    )


def with_signature(text: str, html: str | None, signature: str) -> tuple[str, str | None]:
    """The inbox's email footer after "-- " (a footer already at the end is not added twice).

    Only for replies that did not come from the workspace composer: the composer chooses the
    one signature a reply gets (the agent's, else the inbox's, else this footer) and records
    that choice in `metadata["signature"]`, and such a reply gets nothing more here."""
    signature = (signature or "").strip()
    if not signature or text.rstrip().endswith(signature):
        return text, html
    text = f"{text.rstrip()}\n\n-- \n{signature}"
    if html:
        html = f"{html}<br><br>-- <br>{escape(signature).replace(chr(10), '<br>')}"
    return text, html


def copies(message: Message, to: str) -> tuple[list[str], list[str]]:
    """Cc and Bcc of a reply: the composer's choice, else (an agent's reply written elsewhere)
    the people copied on the conversation; automatic mail goes to the shopper only."""
    chosen = (message.metadata or {}).get("email_recipients")
    if isinstance(chosen, dict):
        cc = [a for a in chosen.get("cc") or [] if isinstance(a, str) and _valid_email(a)]
        bcc = [a for a in chosen.get("bcc") or [] if isinstance(a, str) and _valid_email(a)]
    elif message.sender_type == "agent":
        cc = participants.remembered_cc(message.conversation, before_message_id=message.pk)
        bcc = []
    else:
        return [], []
    cc = [a for a in dict.fromkeys(cc) if a != to][: participants.MAX_COPIES]
    bcc = [a for a in dict.fromkeys(bcc) if a != to and a not in cc][: participants.MAX_COPIES]
    return cc, bcc


def check_loops(message: Message, to: str) -> None:
    """Automatic mail (bot, system) never answers automatic mail and is capped per recipient."""
    if message.sender_type not in loops.AUTOMATIC_SENDERS:
        return
    reason = loops.latest_incoming_is_automatic(message.conversation_id, message.pk)
    if reason:
        raise TransportError(
            f"Not sent: the shopper's last mail was automatic ({reason}); an automatic answer "
            "could start a mail loop.", permanent=True)
    if loops.over_cap(message.inbox_id, to, exclude_message_id=message.pk):
        raise TransportError(
            f"Not sent: {to} already received the maximum of automatic mails for today.",
            permanent=True)


def build_email(
    delivery: Delivery, connection: Any, config: EmailConfig, smtp: SmtpSettings
) -> Any:
    message = delivery.message
    to = recipient(message)
    check_loops(message, to)
    sender = from_address(smtp, config, sender_name(message, config))
    message_id = message_id_for(delivery, sender)
    headers = {"Message-ID": message_id, **thread_headers(message)}
    if config.plus_addressing and config.address:
        headers["Reply-To"] = threads.reply_address(config.address, message.conversation_id)
    if message.sender_type in loops.AUTOMATIC_SENDERS:
        headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: other bots must not answer it
        headers["X-Auto-Response-Suppress"] = "All"  # nor Exchange's out-of-office
    metadata = message.metadata or {}
    text, html = message.text, sanitize_html(message.html)
    if "signature" not in metadata:  # the composer already signed it (one signature only)
        text, html = with_signature(text, html, config.signature)
    cc, bcc = copies(message, to)
    email = EmailMultiAlternatives(
        subject=subject_for(message),
        body=text,
        from_email=sender,
        to=[to],
        cc=cc,
        bcc=bcc,  # the envelope only: Django writes no Bcc header
        headers=headers,
        connection=connection,
    )
    if html:
        email.attach_alternative(html, "text/html")
    for attachment in message.attachments.all().order_by("pk"):
        try:
            content = attachment_path(attachment.storage_key).read_bytes()
        except (OSError, ValueError) as exc:
            raise TransportError(
                f"Attachment {attachment.filename!r} is missing: {exc}", permanent=True
            ) from exc
        email.attach(_one_line(attachment.filename, 255) or "attachment", content,
                     attachment.content_type)
    return email, message_id


def _config(inbox: Inbox) -> EmailConfig:
    try:
        return EmailConfig.model_validate(inbox.config or {})
    except SchemaError as exc:
        raise TransportError(
            "The inbox's email settings are invalid; save them again in the inbox settings.",
            permanent=True,
        ) from exc


def _mail_connection(inbox: Inbox, config: EmailConfig) -> tuple[Any, SmtpSettings]:
    smtp = config.smtp or SmtpSettings()
    return (_local_files() if config.local_only else _connection(smtp, config, inbox)), smtp


class SmtpTransport:
    def send(self, delivery: Delivery) -> SendResult:
        message = delivery.message
        if message.private:
            raise TransportError("Private notes are never sent to the shopper.", permanent=True)
        config = _config(message.inbox)
        connection, smtp = _mail_connection(message.inbox, config)
        email, message_id = build_email(delivery, connection, config, smtp)
        _send(email)
        return SendResult(provider_message_id=message_id)


def send_mail(inbox: Inbox, mail: OutgoingMail) -> str:
    """Another channel's mail through this email inbox: its SMTP server (or OAuth, or local
    files), its From address and brand, its signature. Returns the Message-ID."""
    config = _config(inbox)
    connection, smtp = _mail_connection(inbox, config)
    to = _valid_email(mail.to)
    if to is None:
        raise TransportError(f"Not an email address: {mail.to!r}.", permanent=True)
    brand = _one_line(config.from_name or inbox.name)
    name = _one_line(mail.sender_name)
    sender = from_address(smtp, config, f"{name} ({brand})" if name and brand else name or brand)
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower() or "storedesk.local"
    reference = re.sub(r"[^A-Za-z0-9.-]", "-", mail.reference)[:100] or "mail"
    message_id = f"<sd.{reference}@{domain}>"
    text, _ = with_signature(mail.body, None, config.signature)
    _send(EmailMultiAlternatives(
        subject=_one_line(mail.subject, 250), body=text, from_email=sender, to=[to],
        headers={"Message-ID": message_id}, connection=connection,
    ))
    return message_id


def _send(email: Any) -> None:
    """Send, and say what the server answered in the transport's terms (5xx permanent)."""
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


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
