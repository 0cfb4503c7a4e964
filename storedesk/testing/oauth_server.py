"""A local OAuth 2.0 authorization server for tests, speaking the parts of Google's and
Microsoft's documented flow that a mail client uses:

- ``GET /authorize?response_type=code&client_id&redirect_uri&scope&state&code_challenge
  &code_challenge_method=S256`` -> 302 to redirect_uri with ``code`` and ``state`` (the user
  "consents" at once, as `user`);
- ``POST /token`` (form): ``grant_type=authorization_code`` (checks client secret, redirect
  URI and the PKCE verifier) or ``grant_type=refresh_token`` -> ``{"access_token",
  "expires_in", "refresh_token", "token_type": "Bearer", "scope"}``;
- ``POST /introspect`` (form ``token``) -> ``{"active": true, "username": ...}`` for a live
  access token: Dovecot's oauth2 passdb asks this to check XOAUTH2 logins.

    with LocalOAuthServer(client_id="sd", client_secret="s3", user="support@harbor.test") as auth:
        auth.authorize_url, auth.token_url, auth.introspect_url
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse


class LocalOAuthServer:
    def __init__(self, *, client_id: str, client_secret: str, user: str,
                 expires_in: int = 3600) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.user = user
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.codes: dict[str, dict[str, str]] = {}
        self.access: dict[str, float] = {}  # token -> expiry
        self.refresh: set[str] = set()
        self.grants: list[str] = []  # grant types served, in order
        self.introspections = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    authorize_url = property(lambda self: f"{self.base}/authorize")
    token_url = property(lambda self: f"{self.base}/token")
    introspect_url = property(lambda self: f"{self.base}/introspect")

    def start(self) -> LocalOAuthServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalOAuthServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access = {t: 0.0 for t in self.access}

    def _issue(self) -> dict[str, Any]:
        access, refresh = "at-" + secrets.token_urlsafe(24), "rt-" + secrets.token_urlsafe(24)
        self.access[access] = time.time() + self.expires_in
        self.refresh.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": self.expires_in, "scope": "https://mail.google.com/"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path != "/authorize" or query.get("client_id") != outer.client_id \
                        or query.get("response_type") != "code":
                    self._json(400, {"error": "invalid_request"})
                    return
                code = "code-" + secrets.token_urlsafe(16)
                with outer.lock:
                    outer.codes[code] = {
                        "redirect_uri": query.get("redirect_uri", ""),
                        "challenge": query.get("code_challenge", ""),
                    }
                target = query["redirect_uri"] + "?" + urlencode(
                    {"code": code, "state": query.get("state", "")})
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                path = urlparse(self.path).path
                if path == "/introspect":
                    token = form.get("token", "")
                    if not token:  # Dovecot may send it as a bearer header instead
                        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    with outer.lock:
                        outer.introspections += 1
                        live = outer.access.get(token, 0) > time.time()
                    self._json(200, {"active": True, "username": outer.user} if live
                               else {"active": False})
                    return
                if path != "/token":
                    self._json(404, {"error": "not_found"})
                    return
                if form.get("client_id") != outer.client_id or \
                        form.get("client_secret") != outer.client_secret:
                    self._json(401, {"error": "invalid_client"})
                    return
                grant = form.get("grant_type")
                with outer.lock:
                    if grant == "authorization_code":
                        issued = outer.codes.pop(form.get("code", ""), None)
                        verifier = form.get("code_verifier", "")
                        challenge = base64.urlsafe_b64encode(
                            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                        if issued is None or issued["redirect_uri"] != form.get("redirect_uri") \
                                or issued["challenge"] != challenge:
                            self._json(400, {"error": "invalid_grant"})
                            return
                    elif grant == "refresh_token":
                        if form.get("refresh_token") not in outer.refresh:
                            self._json(400, {"error": "invalid_grant"})
                            return
                    else:
                        self._json(400, {"error": "unsupported_grant_type"})
                        return
                    outer.grants.append(grant)
                    body = outer._issue()
                self._json(200, body)

        return Handler
