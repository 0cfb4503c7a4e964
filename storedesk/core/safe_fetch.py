"""The one way Storedesk makes server-side HTTP requests.

Every URL a user or a provider can influence (webhook targets, store APIs, avatars...) is fetched
through `safe_fetch`, which:

* allows only http and https;
* resolves the host once and refuses the request when ANY resolved address is private, loopback,
  link-local, multicast, reserved, unspecified or otherwise not globally routable (IPv4 and IPv6,
  including IPv4 addresses hidden inside IPv6 forms such as ``::ffff:127.0.0.1``, 6to4, NAT64
  and Teredo) unless ``settings.FETCH_ALLOW_PRIVATE`` is on (True), or lists the private
  networks that may be reached (e.g. ``["10.8.0.0/16"]`` for an internal ERP);
* never lets anyone reach link-local addresses (``169.254.0.0/16``, ``fe80::/10``) nor the cloud
  metadata endpoints (``METADATA_ADDRESSES``, e.g. AWS's ``fd00:ec2::254`` which is a private
  IPv6 address, and names such as ``metadata.google.internal``), even when private targets are
  allowed;
* says why a name was refused without saying what it resolves to (an error message must not
  map a store's internal network for whoever can read it);
* connects to the address it checked (the URL host is replaced by the IP, the Host header and the
  TLS SNI / certificate check keep the original name), so DNS rebinding cannot swap the target
  between the check and the connection;
* ignores proxy environment variables (a proxy would bypass the pinning);
* caps the time end to end: ``settings.FETCH_TIMEOUT_SECONDS`` (or an enclosing
  ``core.deadline.deadline``, whichever ends first) bounds resolving, connecting, the TLS
  handshake, sending, the response headers and the body together, however slowly a server
  trickles them (``core/fetch_transport.py``); and caps the size of the response body
  (``settings.FETCH_MAX_BYTES``, streamed, stops reading past the cap);
* follows at most 3 redirects, checking every target the same way.

Failures raise `FetchError(message, permanent)`: `permanent` says whether trying again later could
help (a refused address will not; a timeout might). Transports map it to `TransportError`.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import certifi
import httpx
from django.conf import settings

from storedesk.core import deadline as wall_clock
from storedesk.core.fetch_transport import DeadlineTransport

MAX_REDIRECTS = 3
REDIRECT_CODES = {301, 302, 303, 307, 308}
USER_AGENT = "Storedesk/0.1 (+https://github.com/storedesk)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# True: any private/loopback target; False: none; networks: only those (e.g. ["10.8.0.0/16"]).
PrivatePolicy = bool | Iterable[str | IPNetwork]

# Cloud instance-metadata endpoints: never fetched, whatever FETCH_ALLOW_PRIVATE says. (The
# link-local ones are refused as link-local too; these are listed for the ones that are not.)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle ...
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.123",  # AWS time sync
        "fd00:ec2::254",  # AWS IMDS over IPv6 (a unique-local, i.e. "private", address)
        "fd00:ec2::23",  # AWS DNS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
    )
)
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
        "metadata.platformequinix.com",
    }
)

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class FetchError(Exception):
    """The request was refused or failed. `permanent` failures will not get better by retrying."""

    def __init__(
        self, message: str, *, permanent: bool = False, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status_code = status_code


@dataclass(frozen=True)
class FetchResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str  # the final URL (after redirects), with the original host name
    truncated: bool = False  # True when `truncate=True` and the body passed the size cap

    @property
    def text(self) -> str:
        charset = _content_charset(self.headers) or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        import json

        return json.loads(self.content)

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


def _content_charset(headers: httpx.Headers) -> str | None:
    content_type = headers.get("content-type", "")
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return None


# --- Address checks -------------------------------------------------------------------------


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, 6to4, Teredo, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress, *, allow_private: PrivatePolicy) -> str | None:
    """Why this address may not be fetched, or None when it may.

    `allow_private` is True (any private or loopback address is fine), False (none), or a list
    of networks that are allowed although private. Link-local, multicast and unspecified
    addresses are refused whatever it says.
    """
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped IPv6 address"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            problem = address_problem(inner, allow_private=allow_private)
            return f"{problem} (inside {ip})" if problem else None
    if ip.is_link_local:
        return "a link-local address"  # metadata endpoints: never, not even when private is ok
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if allow_private is True or _in_networks(ip, allow_private):
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-public address"
    return None


def _in_networks(ip: IPAddress, policy: PrivatePolicy) -> bool:
    if isinstance(policy, bool):
        return False
    for network in policy:
        try:
            net = (
                ipaddress.ip_network(network, strict=False) if isinstance(network, str) else network
            )
        except ValueError as exc:
            raise FetchError(
                f"FETCH_ALLOW_PRIVATE lists {network!r}, which is not a network.", permanent=True
            ) from exc
        if ip.version == net.version and ip in net:
            return True
    return False


def _policy(allow_private: PrivatePolicy | None) -> PrivatePolicy:
    policy = settings.FETCH_ALLOW_PRIVATE if allow_private is None else allow_private
    if isinstance(policy, str):  # an env-style value: "1"/"true" or "10.0.0.0/8,127.0.0.1"
        text = policy.strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"", "0", "false", "no", "off"}:
            return False
        return [part.strip() for part in policy.split(",") if part.strip()]
    if isinstance(policy, bool) or policy is None:
        return bool(policy)
    return list(policy)


def _literal(host: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        return []


def _getaddrinfo(host: str, port: int, timeout: float) -> list[Any]:
    """socket.getaddrinfo with a time limit (the system resolver has none we control)."""
    outcome: dict[str, Any] = {}

    def resolve() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=resolve, daemon=True, name="safe-fetch-dns")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise FetchError(
            f"Resolving {host} took longer than {round(timeout, 1):g} s.", permanent=False
        )
    error = outcome.get("error")
    if isinstance(error, socket.gaierror | UnicodeError):
        raise FetchError(f"Could not resolve {host}: {error}", permanent=False) from error
    if error is not None:
        raise error
    return list(outcome["infos"])


def resolve_checked(
    host: str,
    port: int,
    *,
    allow_private: PrivatePolicy | None = None,
    timeout: float | None = None,
) -> IPAddress:
    """Resolve `host` once and return the address to connect to, or raise FetchError.

    Every resolved address must pass the check: a name that resolves to one public and one
    private address is refused (the connection could go to either).
    """
    allowed = _policy(allow_private)
    host = host.strip("[]")
    if not host:
        raise FetchError("The URL has no host.", permanent=True)
    if host.lower().rstrip(".") in METADATA_NAMES:
        raise FetchError(
            f"Refused to connect to {host}: it is a cloud metadata endpoint.", permanent=True
        )
    addresses = _literal(host)
    literal = bool(addresses)
    if not addresses:
        limit = float(settings.FETCH_TIMEOUT_SECONDS if timeout is None else timeout)
        infos = _getaddrinfo(host, port, limit)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
        if not addresses:
            raise FetchError(f"{host} has no addresses.", permanent=False)
    for ip in addresses:
        problem = address_problem(ip, allow_private=allowed)
        if problem and literal:
            raise FetchError(f"Refused to connect to {host}: {problem}.", permanent=True)
        if problem:
            # Which address and which kind would tell a caller what the name means inside
            # our network; say only that it is not reachable from here.
            raise FetchError(
                f"Refused to connect to {host}: it does not resolve to a public address.",
                permanent=True,
            )
    # Prefer IPv4 when both exist: more hosts reach it; both were checked above.
    addresses.sort(key=lambda a: a.version)
    return addresses[0]


# --- Fetching -------------------------------------------------------------------------------


@functools.cache
def default_tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process (building one loads the CA bundle: ~50 ms).

    It is configuration, not state: the same in every process, never changed after creation.
    """
    return ssl.create_default_context(cafile=certifi.where())


def safe_fetch(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    follow_redirects: bool = True,
    allow_private: PrivatePolicy | None = None,
    truncate: bool = False,
    verify: ssl.SSLContext | None = None,
) -> FetchResponse:
    """Make one request (plus at most 3 checked redirects) under the rules above.

    `truncate=True` returns the first `max_bytes` of an oversized body instead of failing
    (callers that only care about the status code, such as webhook deliveries). `verify` is
    the TLS context that checks certificates (default: certifi's CAs; tests pass their own CA).
    """
    timeout = float(settings.FETCH_TIMEOUT_SECONDS if timeout is None else timeout)
    max_bytes = int(settings.FETCH_MAX_BYTES if max_bytes is None else max_bytes)
    started = time.monotonic()
    deadline = started + timeout
    enclosing = wall_clock.current()
    if enclosing is not None and enclosing < deadline:
        deadline = enclosing
        timeout = max(0.0, enclosing - started)
    if timeout <= 0:
        raise FetchError("No time was left to make the request.", permanent=False)
    tls = verify if verify is not None else default_tls_context()
    method = method.upper()
    # The Host header is ours to set (it must match the URL we checked), never the caller's.
    request_headers = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
    request_headers.setdefault("User-Agent", USER_AGENT)
    body = content
    current = url
    with httpx.Client(
        transport=DeadlineTransport(verify=tls, at=deadline),
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
    ) as client:
        for hop in range(MAX_REDIRECTS + 1):
            response = _fetch_once(
                client,
                method,
                current,
                request_headers,
                body,
                deadline,
                timeout,
                max_bytes,
                allow_private,
                truncate,
            )
            if response.status_code not in REDIRECT_CODES or not follow_redirects:
                return response
            location = response.headers.get("location")
            if not location:
                return response
            if hop == MAX_REDIRECTS:
                raise FetchError(
                    f"Too many redirects (more than {MAX_REDIRECTS}) starting at {url}.",
                    permanent=True,
                    status_code=response.status_code,
                )
            try:
                target = urljoin(current, location)
                cross_host = httpx.URL(target).host != httpx.URL(current).host
            except (httpx.InvalidURL, ValueError) as exc:
                raise FetchError(
                    f"{url} redirects to an invalid URL {location!r}.", permanent=True
                ) from exc
            if cross_host:
                request_headers = {
                    k: v
                    for k, v in request_headers.items()
                    if k.lower() not in {"authorization", "cookie"}
                }
            if response.status_code in {301, 302, 303} and method not in {"GET", "HEAD"}:
                method, body = "GET", None
                request_headers = {
                    k: v
                    for k, v in request_headers.items()
                    if k.lower() not in {"content-type", "content-length"}
                }
            current = target
    raise AssertionError("unreachable")  # pragma: no cover


def _fetch_once(
    client: httpx.Client,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    deadline: float,
    timeout: float,
    max_bytes: int,
    allow_private: PrivatePolicy | None,
    truncate: bool,
) -> FetchResponse:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"Invalid URL {url!r}: {exc}", permanent=True) from exc
    if parsed.scheme not in {"http", "https"}:
        raise FetchError(
            f"Only http and https URLs can be fetched, not {parsed.scheme!r}.", permanent=True
        )
    if parsed.userinfo:
        raise FetchError("URLs with credentials in them are not allowed.", permanent=True)
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{host} did not answer within {round(timeout, 1):g} s.", permanent=False)
    ip = resolve_checked(host, port, allow_private=allow_private, timeout=left)
    pinned = parsed.copy_with(host=str(ip))
    host_header = host if parsed.port is None else f"{_bracket(host)}:{parsed.port}"
    extensions: dict[str, Any] = {}
    if parsed.scheme == "https":
        extensions["sni_hostname"] = host
    request = client.build_request(
        method,
        pinned,
        headers={**headers, "Host": host_header},
        content=body,
        extensions=extensions,
    )
    try:
        response = client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"{host} did not answer within {round(timeout, 1):g} s.", permanent=False
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchError(
            f"Could not reach {host}: {exc or type(exc).__name__}", permanent=False
        ) from exc
    try:
        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    if not truncate:
                        raise FetchError(
                            f"The response from {host} is larger than {max_bytes} bytes.",
                            permanent=True,
                            status_code=response.status_code,
                        )
                    chunks.append(chunk[: max_bytes - (size - len(chunk))])
                    truncated = True
                    break
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{host} took longer than {round(timeout, 1):g} s to send its answer.",
                        permanent=False,
                        status_code=response.status_code,
                    )
        except httpx.TimeoutException as exc:
            raise FetchError(
                f"{host} did not finish its answer within {round(timeout, 1):g} s.",
                permanent=False,
                status_code=response.status_code,
            ) from exc
        except httpx.HTTPError as exc:
            raise FetchError(
                f"Reading the answer from {host} failed: {exc}",
                permanent=False,
                status_code=response.status_code,
            ) from exc
    finally:
        response.close()
    final_url = str(parsed)
    return FetchResponse(
        status_code=response.status_code,
        headers=response.headers,
        content=b"".join(chunks),
        url=final_url,
        truncated=truncated,
    )


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host
