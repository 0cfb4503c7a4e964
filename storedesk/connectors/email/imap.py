"""IMAP inbound: fetch new mail of one email inbox's folders and file it.

`fetch_mailbox(inbox)` is one run for one mailbox (a Huey task per mailbox, tasks.py):

* connect (the host is checked like every outbound target: no private networks unless the
  operator allows them), TLS or STARTTLS, log in with the password or XOAUTH2;
* for each watched folder: SELECT it and compare its UIDVALIDITY with the one stored in
  `MailboxState`. When it changed, the folder's UIDs mean something else: start over from UID 1
  (Message-ID idempotency files nothing twice);
* fetch the UIDs above the last one filed, oldest first, with BODY.PEEK[] (which does not set
  \\Seen), and file each through `ingest` (which commits: a message, a bounce, or a dead letter);
* only after that commit set \\Seen on the server and record the UID. A crash in between fetches
  the mail again and the repeat is a no-op.

A run stops at its deadline (``STOREDESK_EMAIL_FETCH_SECONDS``, default 60, and the socket
timeout ``STOREDESK_EMAIL_SOCKET_TIMEOUT``, default 20): one slow mailbox never holds the
others, which run as their own tasks; whatever is left is fetched on the next run.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from storedesk.connectors.email.config import EmailConfig, ImapSettings, uses_oauth
from storedesk.connectors.email.ingest import ingest
from storedesk.connectors.email.models import MailboxState
from storedesk.connectors.secrets import reveal
from storedesk.core.errors import ActionError
from storedesk.core.safe_fetch import FetchError, resolve_checked
from storedesk.core.sealing import Unreadable
from storedesk.inbox.models import Inbox

logger = logging.getLogger(__name__)
SEEN = b"\\Seen"
BATCH = 200


class MailboxError(Exception):
    """A step of talking to the mail server failed: `step` is dns, connect, tls, login, folder
    or fetch; `message` says what the server or the network said."""

    def __init__(self, step: str, message: str, *, permanent: bool = False) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message
        self.permanent = permanent


@dataclass
class FetchReport:
    filed: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    bounces: int = 0
    ignored: int = 0
    folders: dict[str, int] = field(default_factory=dict)  # folder -> last uid
    complete: bool = True  # False when the deadline cut the run short
    uidvalidity_reset: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        attribute = {"filed": "filed", "duplicate": "duplicates", "dead_letter": "dead_letters",
                     "bounce": "bounces", "ignored": "ignored"}[kind]
        setattr(self, attribute, getattr(self, attribute) + 1)


def socket_timeout() -> float:
    return float(getattr(settings, "STOREDESK_EMAIL_SOCKET_TIMEOUT", 20))


def fetch_seconds() -> float:
    return float(getattr(settings, "STOREDESK_EMAIL_FETCH_SECONDS", 60))


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    extra = getattr(settings, "STOREDESK_EMAIL_CA_FILE", "")
    if extra:  # a private CA (tests, company mail servers)
        context.load_verify_locations(cafile=extra)
    return context


def connect(config: EmailConfig, *, timeout: float | None = None,
            inbox: Inbox | None = None) -> IMAPClient:
    """A logged-in client, or MailboxError naming the step that failed."""
    imap = config.imap
    if imap is None or not imap.host.strip():
        raise MailboxError("config", "No IMAP server is configured.", permanent=True)
    host, port = imap.host.strip(), imap.effective_port
    limit = timeout or socket_timeout()
    try:
        resolve_checked(host, port, timeout=limit)
    except FetchError as exc:
        step = "dns" if "resolve" in exc.message.lower() or "address" in exc.message.lower() \
            else "connect"
        raise MailboxError(step, exc.message, permanent=exc.permanent) from exc
    try:
        client = IMAPClient(host, port=port, ssl=imap.security == "tls",
                            ssl_context=tls_context(), timeout=limit)
    except ssl.SSLError as exc:
        raise MailboxError("tls", f"TLS handshake with {host}:{port} failed: {exc}") from exc
    except (OSError, IMAPClientError) as exc:
        raise MailboxError("connect", f"Could not connect to {host}:{port}: {exc}") from exc
    try:
        if imap.security == "starttls":
            try:
                client.starttls(tls_context())
            except ssl.SSLError as exc:
                raise MailboxError("tls", f"STARTTLS with {host} failed: {exc}") from exc
            except (IMAPClientError, OSError) as exc:
                raise MailboxError("tls", f"{host} refused STARTTLS: {exc}") from exc
        _login(client, config, imap, inbox)
    except BaseException:
        _close(client)
        raise
    return client


def _login(client: IMAPClient, config: EmailConfig, imap: ImapSettings,
           inbox: Inbox | None) -> None:
    try:
        if imap.auth == "oauth2" or uses_oauth(config):
            from storedesk.connectors.email.oauth import access_token

            token = access_token(config, inbox=inbox)
            client.oauth2_login(imap.username, token)
        else:
            password = reveal(imap.password) if imap.password else ""
            client.login(imap.username, password)
    except Unreadable as exc:
        raise MailboxError("login", f"The stored password cannot be read ({exc}); enter it "
                           "again.", permanent=True) from exc
    except ActionError as exc:  # OAuthError: no token, or the token endpoint refused
        raise MailboxError("login", f"OAuth: {exc.detail}") from exc
    except LoginError as exc:
        raise MailboxError("login", f"The server refused the login for {imap.username!r}: "
                           f"{_text(exc)}", permanent=True) from exc
    except (IMAPClientError, OSError) as exc:
        raise MailboxError("login", f"Login failed: {_text(exc)}") from exc


def _text(exc: BaseException) -> str:
    return str(exc).strip("b'\"") or type(exc).__name__


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may be gone already
        with contextlib.suppress(Exception):
            client.shutdown()


def select(client: IMAPClient, folder: str) -> int:
    """SELECT the folder (read-write, to set \\Seen); its UIDVALIDITY."""
    try:
        info = client.select_folder(folder)
    except (IMAPClientError, OSError) as exc:
        raise MailboxError("folder", f"Folder {folder!r} cannot be opened: {_text(exc)}",
                           permanent=True) from exc
    return int(info[b"UIDVALIDITY"])


def _state(inbox: Inbox, folder: str) -> MailboxState:
    state, _ = MailboxState.objects.get_or_create(
        inbox=inbox, folder=folder, defaults={"account_id": inbox.account_id})
    return state


def fetch_folder(inbox: Inbox, client: IMAPClient, folder: str, report: FetchReport,
                 until: float) -> None:
    uidvalidity = select(client, folder)
    state = _state(inbox, folder)
    if state.uidvalidity != uidvalidity:
        if state.uidvalidity is not None:
            logger.warning("email: inbox %s folder %s UIDVALIDITY %s -> %s: starting over",
                           inbox.pk, folder, state.uidvalidity, uidvalidity)
            report.uidvalidity_reset.append(folder)
        MailboxState.objects.filter(pk=state.pk).update(uidvalidity=uidvalidity, last_uid=0)
        state.uidvalidity, state.last_uid = uidvalidity, 0
    try:
        uids = sorted(u for u in client.search(["UID", f"{state.last_uid + 1}:*"])
                      if u > state.last_uid)
    except (IMAPClientError, OSError) as exc:
        raise MailboxError("fetch", f"SEARCH in {folder!r} failed: {_text(exc)}") from exc
    for uid in uids[:BATCH]:
        if time.monotonic() > until:
            report.complete = False
            break
        try:
            data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
        except (IMAPClientError, OSError) as exc:
            raise MailboxError("fetch", f"FETCH {uid} in {folder!r} failed: {_text(exc)}"
                               ) from exc
        raw = data.get(b"BODY[]")
        if raw is None:  # expunged meanwhile
            _advance(state, uid)
            continue
        outcome = ingest(inbox, bytes(raw), source="imap")  # committed when it returns
        report.count(outcome.kind)
        try:
            client.add_flags([uid], [SEEN], silent=True)
        except (IMAPClientError, OSError) as exc:
            logger.warning("email: could not set \\Seen on %s/%s: %s", folder, uid, exc)
        _advance(state, uid)
    if len(uids) > BATCH:
        report.complete = False
    report.folders[folder] = state.last_uid


def _advance(state: MailboxState, uid: int) -> None:
    MailboxState.objects.filter(pk=state.pk, last_uid__lt=uid).update(
        last_uid=uid, updated_at=timezone.now())
    state.last_uid = uid


def _record(inbox: Inbox, folders: list[str], error: str) -> None:
    now = timezone.now()
    for folder in folders:
        state = _state(inbox, folder)
        updates: dict[str, Any] = {"last_checked_at": now, "last_error": error[:2000]}
        if not error:
            updates["last_success_at"] = now
        MailboxState.objects.filter(pk=state.pk).update(**updates)


def fetch_mailbox(inbox: Inbox, *, seconds: float | None = None) -> FetchReport:
    """One fetch run for one mailbox; raises MailboxError (recorded on its folders)."""
    config = EmailConfig.model_validate(inbox.config or {})
    if config.imap is None or not config.imap.host:
        return FetchReport()
    folders = config.imap.folders
    until = time.monotonic() + (seconds or fetch_seconds())
    report = FetchReport()
    try:
        client = connect(config, inbox=inbox)
        try:
            for folder in folders:
                fetch_folder(inbox, client, folder, report, until)
        finally:
            _close(client)
    except MailboxError as exc:
        _record(inbox, folders, str(exc))
        raise
    except TimeoutError as exc:
        _record(inbox, folders, f"timeout: {exc}")
        raise MailboxError("fetch", f"The server stopped answering: {exc}") from exc
    _record(inbox, folders, "")
    return report
