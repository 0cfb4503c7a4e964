"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records the messages it accepts.

    with LocalSmtpServer() as smtp:
        inbox.config = {"smtp": smtp.inbox_settings(from_address="support@harbor.test")}
        ...
        [received] = smtp.messages
        assert received.message["To"] == "ayse@example.com"

`reject_next(n, "550 5.1.1 No such user")` answers the next n DATA commands with that reply
(the rejected messages are kept in `rejected`, so a test can compare a retry with them).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


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


class LocalSmtpServer:
    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

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
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def rejected(self) -> list[ReceivedMail]:
        """Messages whose DATA was answered with a rejection (kept to compare retries)."""
        with self.handler.lock:
            return list(self.handler.rejected)
