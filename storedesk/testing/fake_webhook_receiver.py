"""A real HTTP server on 127.0.0.1 that receives Storedesk webhooks the way a careful store would.

It verifies the signature on the raw body with the inbox secret, records every request, applies
each delivery at most once (deduplicated by X-Storedesk-Delivery), and can be told to misbehave:
answer an error status for the next N requests, or stall the first request (after applying it,
which is the nasty case: the receiver has the message but the sender never hears back).

    with FakeWebhookReceiver(secret=inbox.signing_secret()) as receiver:
        inbox.config = {"webhook_url": receiver.url}
        ...
        assert receiver.applied_ids == [delivery.pk]
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from storedesk.webhooks.signing import DELIVERY_HEADER, verify


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    delivery_id: str
    verified: bool
    status: int  # what the receiver answered
    applied: bool  # True when this request was the one that applied the delivery

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _State:
    secret: str
    fail_remaining: int = 0
    fail_status: int = 500
    stall_first: bool = False
    stalled_once: bool = False
    requests: list[ReceivedRequest] = field(default_factory=list)
    applied: dict[str, bytes] = field(default_factory=dict)


class FakeWebhookReceiver:
    def __init__(self, secret: str, *, path: str = "/hooks/storedesk") -> None:
        self.path = path
        self._state = _State(secret=secret)
        self._lock = threading.Lock()
        self.stall_started = threading.Event()
        self.release_stall = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="fake-webhook-receiver"
        )

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeWebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release_stall.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> FakeWebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}{self.path}"

    # --- behaviour switches ---------------------------------------------------------------

    def fail_next(self, times: int, status: int = 500) -> None:
        with self._lock:
            self._state.fail_remaining = times
            self._state.fail_status = status

    def stall_first_request(self) -> None:
        """Apply the first request, then hold its answer until `release_stall` is set."""
        with self._lock:
            self._state.stall_first = True

    def set_secret(self, secret: str) -> None:
        with self._lock:
            self._state.secret = secret

    # --- what happened --------------------------------------------------------------------

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._state.requests)

    @property
    def seen_ids(self) -> list[str]:
        return [r.delivery_id for r in self.requests]

    @property
    def applied_ids(self) -> list[str]:
        with self._lock:
            return list(self._state.applied)

    # --- the server -----------------------------------------------------------------------

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes, bool]:
        """Decide the answer; returns (status, body, stall)."""
        delivery_id = headers.get(DELIVERY_HEADER.lower(), "")
        with self._lock:
            state = self._state
            verified = verify(state.secret, headers, body)
            applied = False
            stall = False
            if path != self.path:
                status = 404
            elif not verified or not delivery_id:
                status = 401
            elif state.fail_remaining > 0:
                state.fail_remaining -= 1
                status = state.fail_status
            else:
                status = 200
                if delivery_id not in state.applied:
                    state.applied[delivery_id] = body
                    applied = True
                if state.stall_first and not state.stalled_once:
                    state.stalled_once = True
                    stall = True
            state.requests.append(
                ReceivedRequest(
                    path=path,
                    headers=headers,
                    body=body,
                    delivery_id=delivery_id,
                    verified=verified,
                    status=status,
                    applied=applied,
                )
            )
        answer = json.dumps({"ok": status == 200, "duplicate": status == 200 and not applied})
        return status, answer.encode(), stall

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle(self) -> None:
                # the client may hang up (size cap, killed worker): nothing to do then
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer, stall = receiver._handle(self.path, headers, body)
                if stall:
                    receiver.stall_started.set()
                    receiver.release_stall.wait(timeout=120)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender is gone (killed mid-request): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        return Handler
