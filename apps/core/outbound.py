"""Requests to URLs that tenants supply: S3-compatible endpoints, webhooks, hooks, OIDC issuers.

The rule, in one place: http(s) only, no credentials in the URL; the host is resolved once
and every address it resolves to must be public, unless the operator allow-lists its
network (`OUTBOUND_ALLOWED_NETWORKS`). The request then connects to that resolved address
(pinned), so a DNS answer that changes between check and use (rebinding) cannot redirect it,
and redirects are never followed. Loopback, private, link-local (169.254.0.0/16: the cloud
metadata address), multicast and reserved ranges are refused in every spelling that
resolves to them (decimal, octal, IPv4-mapped IPv6, ...).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from apps.core.errors import DomainError

ALLOWED_SCHEMES = ("http", "https")


class OutboundUrlRefused(DomainError):
    code = "url_not_allowed"
    message = "This URL cannot be used."


@dataclass(frozen=True)
class OutboundTarget:
    """A checked URL and the one address every request to it must connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    path: str  # path and query, as sent in the request line


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: bytes


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.OUTBOUND_ALLOWED_NETWORKS]


def address_is_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def outbound_target(url: str, *, field: str = "url") -> OutboundTarget:
    """Check `url` and resolve it once; raises OutboundUrlRefused naming `field`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise OutboundUrlRefused.on_field(field, "This is not a valid URL.") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise OutboundUrlRefused.on_field(field, "Only http and https URLs are allowed.")
    if not parts.hostname:
        raise OutboundUrlRefused.on_field(field, "The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise OutboundUrlRefused.on_field(field, "Credentials in the URL are not allowed.")
    scheme = parts.scheme.lower()
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundUrlRefused.on_field(
            field, f"The host {parts.hostname!r} could not be resolved."
        ) from None
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(address_is_allowed(address) for address in addresses):
        raise OutboundUrlRefused.on_field(
            field, "The URL points at an internal or reserved network address."
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return OutboundTarget(
        url=url.strip(),
        scheme=scheme,
        host=parts.hostname,
        port=port,
        address=addresses[0],
        path=path,
    )


def outbound_request(
    target: OutboundTarget,
    *,
    method: str = "POST",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_response_bytes: int = 1_000_000,
) -> OutboundResponse:
    """Send one request to the pinned address; no retries, no redirects.

    Raises `urllib3.exceptions.HTTPError` (connection refused, timeout, TLS failure) for the
    caller's retry policy to handle.
    """
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    options = {
        "timeout": urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
        "retries": False,
    }
    if target.scheme == "https":
        # Connect to the pinned address while verifying the certificate for the host name.
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    with pool:
        response = pool.urlopen(
            method,
            target.path,
            body=body,
            headers={"Host": host_header, **(headers or {})},
            redirect=False,
            preload_content=False,
        )
        try:
            content = response.read(max_response_bytes)
        finally:
            response.release_conn()
    return OutboundResponse(status=response.status, body=content)
