""""Test connection": talk to the inbox's IMAP and SMTP servers step by step and say exactly
which step failed (DNS, connect, TLS, login, folder) and what the server said.

Nothing is fetched, marked or sent: IMAP logs in and EXAMINEs (read-only) each folder; SMTP
says EHLO, STARTTLS when asked, logs in and QUITs.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext as _

from storedesk.connectors.email import imap
from storedesk.connectors.email.config import EmailConfig, uses_oauth
from storedesk.connectors.secrets import reveal
from storedesk.core.safe_fetch import FetchError, resolve_checked
from storedesk.core.sealing import Unreadable


@dataclass(frozen=True)
class Step:
    server: str  # "imap" | "smtp"
    step: str  # "dns" | "connect" | "tls" | "login" | "folder" | "config"
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _resolve(server: str, host: str, port: int, timeout: float) -> list[Step]:
    try:
        resolve_checked(host, port, timeout=timeout)
    except FetchError as exc:
        return [Step(server, "dns", False, exc.message)]
    return [Step(server, "dns", True, _("%(host)s resolves to an allowed address.") % {
        "host": host})]


def check_imap(config: EmailConfig, timeout: float = 10.0) -> list[Step]:
    settings = config.imap
    if settings is None or not settings.host.strip():
        return [Step("imap", "config", False, _("No IMAP server is configured."))]
    host, port = settings.host.strip(), settings.effective_port
    steps = _resolve("imap", host, port, timeout)
    if not steps[-1].ok:
        return steps
    try:
        client = imap.connect(config, timeout=timeout)
    except imap.MailboxError as exc:
        if exc.step == "login":
            steps.append(Step("imap", "connect", True, f"{host}:{port}"))
            if settings.security != "none":
                steps.append(Step("imap", "tls", True, settings.security))
        elif exc.step == "tls":
            steps.append(Step("imap", "connect", True, f"{host}:{port}"))
        steps.append(Step("imap", exc.step, False, exc.message))
        return steps
    steps.append(Step("imap", "connect", True, f"{host}:{port}"))
    if settings.security != "none":
        steps.append(Step("imap", "tls", True, settings.security))
    steps.append(Step("imap", "login", True, settings.username))
    try:
        for folder in settings.folders:
            try:
                info = client.select_folder(folder, readonly=True)
            except Exception as exc:  # noqa: BLE001 - the server's words go to the admin
                steps.append(Step("imap", "folder", False, _(
                    "Folder %(folder)s cannot be opened: %(error)s") % {
                    "folder": folder, "error": imap._text(exc)}))
                continue
            steps.append(Step("imap", "folder", True, _(
                "%(folder)s: %(count)s messages") % {
                "folder": folder, "count": int(info.get(b"EXISTS", 0))}))
    finally:
        imap._close(client)
    return steps


def check_smtp(config: EmailConfig, timeout: float = 10.0) -> list[Step]:
    smtp = config.smtp
    if smtp is None or not smtp.host.strip():
        return [Step("smtp", "config", True,
                     _("No SMTP server: replies use the server's own mail setup."))]
    host, port = smtp.host.strip(), smtp.effective_port
    steps = _resolve("smtp", host, port, timeout)
    if not steps[-1].ok:
        return steps
    context = imap.tls_context()
    client: smtplib.SMTP
    try:
        if smtp.security == "tls":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
    except ssl.SSLError as exc:
        steps.append(Step("smtp", "connect", True, f"{host}:{port}"))
        steps.append(Step("smtp", "tls", False, str(exc)))
        return steps
    except (OSError, smtplib.SMTPException) as exc:
        steps.append(Step("smtp", "connect", False, f"{host}:{port}: {exc}"))
        return steps
    steps.append(Step("smtp", "connect", True, f"{host}:{port}"))
    try:
        client.ehlo()
        if smtp.security == "starttls":
            try:
                client.starttls(context=context)
                client.ehlo()
            except (ssl.SSLError, smtplib.SMTPException, OSError) as exc:
                steps.append(Step("smtp", "tls", False, str(exc)))
                return steps
        if smtp.security != "none":
            steps.append(Step("smtp", "tls", True, smtp.security))
        if uses_oauth(config):
            from storedesk.connectors.email.oauth import access_token, smtp_xoauth2

            smtp_xoauth2(client, smtp.username, access_token(config))
            steps.append(Step("smtp", "login", True, f"{smtp.username} (XOAUTH2)"))
        elif smtp.username:
            try:
                password = reveal(smtp.password) if smtp.password else ""
            except Unreadable as exc:
                steps.append(Step("smtp", "login", False, str(exc)))
                return steps
            try:
                client.login(smtp.username, password)
            except smtplib.SMTPAuthenticationError as exc:
                error = exc.smtp_error
                text = error.decode(errors="replace") if isinstance(error, bytes) else error
                steps.append(Step("smtp", "login", False, f"{exc.smtp_code} {text}"))
                return steps
            except smtplib.SMTPNotSupportedError:
                steps.append(Step("smtp", "login", False,
                                  _("The server does not offer AUTH (is TLS required?).")))
                return steps
            steps.append(Step("smtp", "login", True, smtp.username))
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        steps.append(Step("smtp", "connect", False, str(exc)))
    except Exception as exc:  # noqa: BLE001 - e.g. an OAuth token that cannot be refreshed
        steps.append(Step("smtp", "login", False, str(exc)))
    finally:
        with contextlib.suppress(Exception):  # already closed
            client.quit()
    return steps


def check(config: EmailConfig, timeout: float = 10.0) -> list[Step]:
    return [*check_imap(config, timeout), *check_smtp(config, timeout)]
