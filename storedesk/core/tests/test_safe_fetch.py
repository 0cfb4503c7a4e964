"""safe_fetch against a real HTTP server on 127.0.0.1 (and addresses it must never reach).

Refused addresses are refused before any connection is made, so these tests send no traffic
outside this machine.
"""

from __future__ import annotations

import contextlib
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from storedesk.core.safe_fetch import FetchError, address_problem, safe_fetch


class _Site:
    """A tiny local web site with the behaviours the tests need."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.hits: list[tuple[str, str, dict[str, str], bytes]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle(self) -> None:
                # the client may hang up (size cap, killed worker): nothing to do then
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def _answer(self, status: int, body: bytes = b"", **headers: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                site.hits.append((self.command, self.path, dict(self.headers.items()), body))
                if self.path == "/ok":
                    self._answer(200, b"hello from the shop", Content_Type="text/plain")
                elif self.path == "/echo-host":
                    self._answer(200, self.headers.get("Host", "").encode())
                elif self.path == "/big":
                    self._answer(200, b"x" * 200_000)
                elif self.path == "/stall":
                    site.release.wait(timeout=30)
                    self._answer(200, b"too late")
                elif self.path == "/to-metadata":
                    self._answer(302, Location="http://169.254.169.254/latest/meta-data/")
                elif self.path == "/to-private":
                    self._answer(302, Location="http://10.0.0.1/internal/admin")
                elif self.path == "/to-ipv6-loopback":
                    self._answer(307, Location="http://[::1]/ok")
                elif self.path == "/to-garbage":
                    self._answer(302, Location="http://[not-an-ip/x")
                elif self.path == "/to-ok":
                    self._answer(307, Location="/ok")
                elif self.path == "/post-to-get":
                    self._answer(303, Location="/ok")
                elif self.path == "/loop":
                    self._answer(302, Location="/loop")
                elif self.path == "/to-ftp":
                    self._answer(302, Location="ftp://127.0.0.1/file")
                else:
                    self._answer(404, b"no")

            def do_GET(self) -> None:  # noqa: N802
                self._route()

            def do_POST(self) -> None:  # noqa: N802
                self._route()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def site() -> Iterator[_Site]:
    s = _Site()
    s.thread.start()
    yield s
    s.release.set()
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture
def private_allowed(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def private_refused(settings):
    settings.FETCH_ALLOW_PRIVATE = False
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.8.9.10:8080/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://[2002:7f00:1::1]/",  # 6to4 wrapping of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 wrapping of 169.254.169.254
        "http://localhost/",  # a name that resolves to loopback
    ],
)
def test_private_and_special_addresses_are_refused(private_refused, url):
    # when a webhook or a store URL points inside our network
    with pytest.raises(FetchError) as caught:
        safe_fetch("GET", url)
    # then nothing is fetched, the error says why, and retrying will not help
    assert "Refused to connect" in caught.value.message
    assert caught.value.permanent


def test_public_addresses_pass_the_address_check():
    for raw in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "93.184.216.34"]:
        assert address_problem(ipaddress.ip_address(raw), allow_private=False) is None


def test_only_http_and_https_are_fetched(private_allowed):
    for url in ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/"]:
        with pytest.raises(FetchError) as caught:
            safe_fetch("GET", url)
        assert caught.value.permanent


def test_credentials_in_the_url_are_refused(private_allowed, site):
    with pytest.raises(FetchError, match="credentials"):
        safe_fetch("GET", site.url("/ok", host="user:pw@127.0.0.1"))


def test_local_server_is_reachable_when_private_targets_are_allowed(private_allowed, site):
    # given a deployment that allows loopback (the demo, tests)
    # when we fetch by name
    response = safe_fetch("GET", site.url("/echo-host", host="localhost"))
    # then we got the page, and the server saw the original host name, not the pinned IP
    assert response.status_code == 200
    assert response.content == f"localhost:{site.port}".encode()
    assert response.url == site.url("/echo-host", host="localhost")


def test_redirect_to_a_metadata_address_is_refused_even_when_private_is_allowed(
    private_allowed, site
):
    # given a server that redirects to the cloud metadata endpoint
    # when we follow it
    with pytest.raises(FetchError) as caught:
        safe_fetch("GET", site.url("/to-metadata"))
    # then the redirect target is checked and refused
    assert "169.254.169.254" in caught.value.message
    assert "cloud metadata" in caught.value.message
    assert caught.value.permanent
    assert [hit[1] for hit in site.hits] == ["/to-metadata"]


def test_redirect_to_a_private_address_is_refused(settings, site):
    # given only this one loopback address is allowed (as an internal service would be)
    settings.FETCH_ALLOW_PRIVATE = ["127.0.0.1/32"]
    assert safe_fetch("GET", site.url("/ok")).status_code == 200
    # when it redirects into the private network, or to another loopback address
    for path, target in [("/to-private", "10.0.0.1"), ("/to-ipv6-loopback", "::1")]:
        with pytest.raises(FetchError) as caught:
            safe_fetch("GET", site.url(path))
        # then the redirect target is refused before any connection is made
        assert f"Refused to connect to {target}" in caught.value.message
        assert caught.value.permanent
    assert [hit[1] for hit in site.hits] == ["/ok", "/to-private", "/to-ipv6-loopback"]


def test_the_private_allowance_can_come_from_the_environment_as_text(settings, site):
    settings.FETCH_ALLOW_PRIVATE = "127.0.0.0/8, 10.8.0.0/16"
    assert safe_fetch("GET", site.url("/ok")).status_code == 200
    for refusing in ["10.8.0.0/16", "0", "false", ""]:
        settings.FETCH_ALLOW_PRIVATE = refusing
        with pytest.raises(FetchError, match="loopback"):
            safe_fetch("GET", site.url("/ok"))
    settings.FETCH_ALLOW_PRIVATE = "intranet"
    with pytest.raises(FetchError, match="not a network"):
        safe_fetch("GET", site.url("/ok"))


def test_a_redirect_to_garbage_is_a_clear_error(private_allowed, site):
    with pytest.raises(FetchError, match="invalid URL") as caught:
        safe_fetch("GET", site.url("/to-garbage"))
    assert caught.value.permanent


def test_a_callers_host_header_cannot_redirect_the_request(private_allowed, site):
    # the Host header always names the host that was checked and connected to
    response = safe_fetch("GET", site.url("/echo-host"), headers={"host": "internal.admin"})
    assert response.content == f"127.0.0.1:{site.port}".encode()


def test_redirect_to_another_scheme_is_refused(private_allowed, site):
    with pytest.raises(FetchError, match="Only http and https"):
        safe_fetch("GET", site.url("/to-ftp"))


def test_safe_redirects_are_followed_with_their_method(private_allowed, site):
    # 307 keeps the method and the body
    response = safe_fetch("POST", site.url("/to-ok"), content=b"payload")
    assert response.text == "hello from the shop"
    assert [(m, p, b) for m, p, _, b in site.hits] == [
        ("POST", "/to-ok", b"payload"),
        ("POST", "/ok", b"payload"),
    ]
    # 303 turns the POST into a GET without a body
    site.hits.clear()
    safe_fetch("POST", site.url("/post-to-get"), content=b"payload")
    assert [(m, p, b) for m, p, _, b in site.hits] == [
        ("POST", "/post-to-get", b"payload"),
        ("GET", "/ok", b""),
    ]


def test_redirect_loops_stop_after_three_hops(private_allowed, site):
    with pytest.raises(FetchError, match="Too many redirects") as caught:
        safe_fetch("GET", site.url("/loop"))
    assert caught.value.permanent
    assert len(site.hits) == 4  # the request and three redirects


def test_redirects_can_be_left_to_the_caller(private_allowed, site):
    response = safe_fetch("GET", site.url("/to-ok"), follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/ok"


def test_size_cap_stops_reading(private_allowed, site):
    # given a response of 200 kB and a cap of 10 kB
    private_allowed.FETCH_MAX_BYTES = 10_000
    # when it is fetched, then the fetch fails clearly
    with pytest.raises(FetchError, match="larger than 10000 bytes") as caught:
        safe_fetch("GET", site.url("/big"))
    assert caught.value.permanent
    assert caught.value.status_code == 200
    # and a caller that only needs the start can ask for a truncated body instead
    response = safe_fetch("GET", site.url("/big"), truncate=True)
    assert response.truncated
    assert len(response.content) == 10_000


def test_timeout_gives_a_clear_retryable_error(private_allowed, site):
    # given a server that does not answer
    private_allowed.FETCH_TIMEOUT_SECONDS = 0.3
    # when we fetch it
    with pytest.raises(FetchError, match="did not answer within 0.3 s") as caught:
        safe_fetch("GET", site.url("/stall"))
    # then it may work later, so the error is not permanent
    assert not caught.value.permanent


def test_connection_refused_is_retryable(private_allowed, site):
    port = site.port
    site.server.shutdown()
    site.server.server_close()
    with pytest.raises(FetchError, match="Could not reach") as caught:
        safe_fetch("GET", f"http://127.0.0.1:{port}/ok")
    assert not caught.value.permanent


# --- HTTPS: the pinned IP, the SNI name and the certificate check work together --------------


def _openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)  # noqa: S603, S607


@pytest.fixture
def tls_files(tmp_path):
    """A throwaway CA and a server certificate for `localhost` (nothing leaves tmp_path)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Storedesk Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        cwd=tmp_path,
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        cwd=tmp_path,
    )
    (tmp_path / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    _openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
        cwd=tmp_path,
    )
    return tmp_path


@pytest.fixture
def https_site(tls_files) -> Iterator[_Site]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_files / "server.pem", tls_files / "server.key")
    secure = _Site()
    secure.server.socket = context.wrap_socket(secure.server.socket, server_side=True)
    secure.thread.start()
    yield secure
    secure.server.shutdown()
    secure.server.server_close()


def test_https_by_name_verifies_the_certificate_against_the_name(
    private_allowed, https_site, tls_files
):
    # given a shop endpoint with a certificate for "localhost", issued by a CA we trust
    trust = ssl.create_default_context(cafile=str(tls_files / "ca.pem"))
    # when we fetch it by name (connecting to the pinned 127.0.0.1 underneath)
    response = safe_fetch("GET", f"https://localhost:{https_site.port}/echo-host", verify=trust)
    # then TLS succeeded for the name and the server saw the name as Host
    assert response.status_code == 200
    assert response.content == f"localhost:{https_site.port}".encode()


def test_https_with_a_certificate_for_another_name_is_refused(
    private_allowed, https_site, tls_files
):
    # given the same server, reached by its IP: the certificate does not name 127.0.0.1
    trust = ssl.create_default_context(cafile=str(tls_files / "ca.pem"))
    with pytest.raises(FetchError, match="Could not reach") as caught:
        safe_fetch("GET", f"https://127.0.0.1:{https_site.port}/ok", verify=trust)
    assert "certificate" in caught.value.message.lower()
    # and an untrusted CA fails too
    with pytest.raises(FetchError):
        safe_fetch("GET", f"https://localhost:{https_site.port}/ok")


# --- DNS (the resolver lives outside this machine, so it is replaced here) ----------------


def test_a_hanging_resolver_is_cut_off(private_refused, monkeypatch):
    # given a DNS server that never answers
    released = threading.Event()

    def hanging(*args, **kwargs):
        released.wait(timeout=30)
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    private_refused.FETCH_TIMEOUT_SECONDS = 0.2
    # when a webhook host is looked up, then the fetch gives up with a retryable error
    try:
        with pytest.raises(FetchError, match="Resolving hooks.shop.example took longer") as err:
            safe_fetch("POST", "https://hooks.shop.example/storedesk", content=b"{}")
        assert not err.value.permanent
    finally:
        released.set()


def test_a_name_with_one_private_address_among_public_ones_is_refused(private_refused, monkeypatch):
    # given a name that resolves to a public and a private address (a rebinding trick)
    def resolve(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    # then it is refused (the connection could land on either)
    with pytest.raises(FetchError, match="does not resolve to a public address") as caught:
        safe_fetch("GET", "https://shop.example/")
    # and the message does not say what the name resolves to inside the network
    assert "10.0.0.7" not in caught.value.message
    assert "private" not in caught.value.message


def test_an_unknown_name_is_a_retryable_error(private_refused, monkeypatch):
    def unknown(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    with pytest.raises(FetchError, match="Could not resolve shop.example") as caught:
        safe_fetch("GET", "https://shop.example/")
    assert not caught.value.permanent


# --- Cloud metadata and what error messages reveal -----------------------------------------


@pytest.mark.parametrize("target", ["fd00:ec2::254", "169.254.169.254", "100.100.100.200"])
def test_cloud_metadata_addresses_stay_unreachable_when_private_is_allowed(
    private_allowed, target
):
    # given private addresses are allowed (an internal ERP), when a URL names a metadata endpoint
    ip = ipaddress.ip_address(target)
    url = f"http://[{target}]/latest/meta-data/" if ip.version == 6 else f"http://{target}/"
    # then it is refused, permanently, before any connection
    with pytest.raises(FetchError, match="cloud metadata") as caught:
        safe_fetch("GET", url)
    assert caught.value.permanent


@pytest.mark.parametrize(
    "name", ["metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata"]
)
def test_cloud_metadata_names_are_refused_without_being_resolved(
    private_allowed, monkeypatch, name
):
    looked_up: list[str] = []

    def resolve(host, *args, **kwargs):
        looked_up.append(host)
        raise AssertionError("a metadata name must not even be resolved")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(FetchError, match="cloud metadata endpoint") as caught:
        safe_fetch("GET", f"http://{name}/computeMetadata/v1/")
    assert caught.value.permanent
    assert looked_up == []


def test_a_name_resolving_to_a_metadata_address_says_nothing_about_it(private_allowed, monkeypatch):
    # given an innocent-looking name that resolves to AWS's IPv6 metadata address
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fd00:ec2::254", port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(FetchError) as caught:
        safe_fetch("POST", "https://hooks.shop.example/in", content=b"{}")
    # then the message refuses the name without naming the address or its kind
    assert caught.value.message == (
        "Refused to connect to hooks.shop.example: it does not resolve to a public address."
    )


# --- One deadline over the whole exchange ---------------------------------------------------


def test_a_server_trickling_its_headers_is_cut_at_the_deadline(private_allowed):
    from storedesk.testing.trickling_server import TricklingServer

    # given a receiver that sends its status line and headers one byte every 0.3 s (each read
    # is fast, so a per-read timeout would never fire; the full answer takes ~25 s)
    with TricklingServer(interval=0.3) as slow:
        # when we POST with a 1.5 s limit
        with pytest.raises(FetchError, match="did not answer within 1.5 s") as caught:
            safe_fetch("POST", slow.url, content=b"{}", timeout=1.5)
        # then the request ended before the answer did, with a retryable error
        assert not caught.value.permanent
        [request] = slow.requests
        assert request.finished.wait(30)
        assert request.hung_up


def test_an_enclosing_deadline_shortens_the_fetch(private_allowed):
    from storedesk.core.deadline import deadline
    from storedesk.testing.trickling_server import TricklingServer

    with TricklingServer(interval=0.3) as slow:
        # given the caller (the outbox) has 1 s left for this attempt, and the fetch allows 30
        with deadline(1.0), pytest.raises(FetchError, match="did not answer within 1 s"):
            safe_fetch("GET", slow.url, timeout=30)
        [request] = slow.requests
        assert request.finished.wait(30)
        assert request.hung_up
