"""A real HTTP server on 127.0.0.1 that answers slowly on purpose: one byte at a time.

It reads each request in full, records it, then writes a complete `200 OK` answer one byte
every `interval` seconds, status line and headers included. httpx's per-read timeout never
fires against it (each byte arrives well within it), so only a wall-clock deadline over the
whole exchange ends such a request early. Every request records whether the client hung up
before the answer was complete.

    with TricklingServer(interval=0.3) as slow:
        safe_fetch("POST", slow.url, content=b"{}", timeout=1.5)   # FetchError at ~1.5 s
        assert slow.requests[0].hung_up
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

ANSWER_BODY = b'{"ok":true}'


@dataclass
class TrickledRequest:
    request_line: str
    headers: dict[str, str]
    body: bytes
    bytes_sent: int = 0
    hung_up: bool = False  # the client closed the connection before the answer was complete
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def delivery_id(self) -> str:
        return self.headers.get("x-storedesk-delivery", "")


class TricklingServer:
    def __init__(self, *, interval: float = 0.3, path: str = "/hooks/slow") -> None:
        self.interval = interval
        self.path = path
        self._requests: list[TrickledRequest] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.request_arrived = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, daemon=True, name="trickling-server")
        self._handlers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}{self.path}"

    @property
    def requests(self) -> list[TrickledRequest]:
        with self._lock:
            return list(self._requests)

    def __enter__(self) -> TricklingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for handler in self._handlers:
            handler.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            handler = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._handlers.append(handler)
            handler.start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                request = self._read_request(conn)
            except (OSError, ValueError):
                return
            with self._lock:
                self._requests.append(request)
            self.request_arrived.set()
            answer = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(ANSWER_BODY)}\r\nConnection: close\r\n\r\n".encode()
                + ANSWER_BODY
            )
            try:
                for index in range(len(answer)):
                    if self._stop.wait(self.interval):
                        break
                    conn.sendall(answer[index : index + 1])
                    request.bytes_sent += 1
                    if _peer_closed(conn):
                        request.hung_up = True
                        break
            except OSError:
                request.hung_up = True
            finally:
                request.finished.set()

    @staticmethod
    def _read_request(conn: socket.socket) -> TrickledRequest:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                raise ValueError("closed before the headers")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return TrickledRequest(request_line=lines[0], headers=headers, body=body)


def _peer_closed(conn: socket.socket) -> bool:
    """True when the client has closed its side (a read would return EOF at once)."""
    conn.setblocking(False)
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        conn.setblocking(True)
        conn.settimeout(10)
