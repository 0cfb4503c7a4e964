"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records the messages it accepts.

    with LocalSmtpServer() as smtp:
        inbox.config = {"smtp": smtp.inbox_settings(from_address="support@harbor.test")}
        ...
        [received] = smtp.messages
        assert received.message["To"] == "ayse@example.com"

`reject_next(n, "550 5.1.1 No such user")` answers the next n DATA commands with that reply
(the rejected messages are kept in `rejected`, so a test can compare a retry with them).
`LocalSmtpServer(credentials=("user", "password"))` requires SMTP AUTH (PLAIN/LOGIN, without
TLS: loopback only) and records the logins it accepted in `logins`;
`LocalSmtpServer(xoauth2=check)` requires AUTH XOAUTH2 and asks `check(user, token)`.
"""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Handler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[ReceivedMail] = []
        self.rejected: list[ReceivedMail] = []
        self.reject_remaining = 0
        self.reject_reply = "550 5.1.1 Mailbox unavailable"
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = ReceivedMail(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            raw=bytes(envelope.original_content or envelope.content),
        )
        with self.lock:
            if self.reject_remaining > 0:
                self.reject_remaining -= 1
                self.rejected.append(mail)
                return self.reject_reply
            self.messages.append(mail)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Authenticator:
    def __init__(self, handler: _Handler, username: str, password: str) -> None:
        self.handler, self.username, self.password = handler, username, password

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode()
        ok = login == self.username and auth_data.password.decode() == self.password
        if ok:
            with self.handler.lock:
                self.handler.logins.append(login)
        return AuthResult(success=ok, handled=False)


class _OAuthHandler(_Handler):
    """Also speaks SASL XOAUTH2: `check(user, token)` decides."""

    def __init__(self, check: Callable[[str, str], bool]) -> None:
        super().__init__()
        self.check = check

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:  # noqa: N802
        try:
            fields = base64.b64decode(args[1]).decode().split("\x01")
            user = fields[0].removeprefix("user=")
            token = fields[1].removeprefix("auth=Bearer ")
        except (IndexError, ValueError):
            return AuthResult(success=False)
        ok = self.check(user, token)
        if ok:
            with self.lock:
                self.logins.append(user)
        return AuthResult(success=ok, auth_data=user)


class LocalSmtpServer:
    def __init__(self, credentials: tuple[str, str] | None = None,
                 xoauth2: Callable[[str, str], bool] | None = None) -> None:
        self.handler = _OAuthHandler(xoauth2) if xoauth2 is not None else _Handler()
        self.port = _free_port()
        auth: dict[str, Any] = {}
        if credentials is not None:
            auth = {"authenticator": _Authenticator(self.handler, *credentials),
                    "auth_required": True, "auth_require_tls": False}
        elif xoauth2 is not None:
            auth = {"auth_required": True, "auth_require_tls": False}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **auth)

    def start(self) -> LocalSmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> LocalSmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inbox_settings(self, from_address: str) -> dict[str, Any]:
        """The `inbox.config["smtp"]` dict that points an inbox at this server."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "from_address": from_address,
        }

    def reject_next(self, times: int, reply: str = "550 5.1.1 Mailbox unavailable") -> None:
        with self.handler.lock:
            self.handler.reject_remaining = times
            self.handler.reject_reply = reply

    @property
    def logins(self) -> list[str]:
        with self.handler.lock:
            return list(self.handler.logins)

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def rejected(self) -> list[ReceivedMail]:
        """Messages whose DATA was answered with a rejection (kept to compare retries)."""
        with self.handler.lock:
            return list(self.handler.rejected)
