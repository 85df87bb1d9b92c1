"""The client's address, decided in one place for IP rules, throttling and logs.

By default it is the socket peer (`REMOTE_ADDR`) and every forwarding header
(X-Forwarded-For, Forwarded, X-Real-IP, True-Client-IP) is ignored: any client can
write them. An operator who runs the app behind proxies says so:

- `TRUSTED_PROXY_NETWORKS` (CIDRs of the proxies): only when the peer is in one of them
  is the forwarding header read, right to left, skipping hops that are themselves trusted
  proxies; the first untrusted hop is the client. A client that reaches the app directly
  cannot forge its address.
- `TRUSTED_PROXY_COUNT` (N proxies in front of the app): the client is the N-th address
  from the right of the header, like DRF's NUM_PROXIES. Safe only if the app cannot be
  reached except through those proxies.

`TRUSTED_PROXY_HEADER` names the header the proxies write: "X-Forwarded-For" (default) or
"Forwarded" (RFC 7239). An unparsable entry where the client should be falls back to the
peer address. IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) are returned as IPv4.
"""

import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_FORWARDED_FOR = re.compile(r'for\s*=\s*"?([^";,]+)"?', re.IGNORECASE)


def parse_address(value: str) -> IPAddress | None:
    """An IP address from a header or socket value: brackets, ports and zone ids removed."""
    value = value.strip().strip('"')
    if not value:
        return None
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    value = value.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_in_networks(address: str | None, networks: list[str]) -> bool:
    """Whether `address` lies in one of `networks` (CIDRs); an IPv4-mapped IPv6 address
    counts as its IPv4 form, and a missing or unparsable address is in none."""
    parsed = parse_address(address or "")
    if parsed is None:
        return False
    return any(parsed in ipaddress.ip_network(cidr) for cidr in networks)


def _trusted_networks() -> list[IPNetwork]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.TRUSTED_PROXY_NETWORKS]


def _forwarded_chain(request: HttpRequest) -> list[str]:
    """The hops the proxies recorded, client first, nearest proxy's view last."""
    if settings.TRUSTED_PROXY_HEADER.lower() == "forwarded":
        header = request.META.get("HTTP_FORWARDED", "")
        return [match.group(1) for match in _FORWARDED_FOR.finditer(header)]
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [hop.strip() for hop in header.split(",") if hop.strip()]


def client_address(request: HttpRequest) -> IPAddress | None:
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = _trusted_networks()
    if networks:
        if not any(peer in network for network in networks):
            return peer
        client = peer
        for hop in reversed(_forwarded_chain(request)):
            address = parse_address(hop)
            if address is None:
                return client  # a garbled hop: trust nothing beyond it
            client = address
            if not any(address in network for network in networks):
                return address
        return client
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        chain = _forwarded_chain(request)
        if not chain:
            return peer
        return parse_address(chain[-min(count, len(chain))]) or peer
    return peer


def client_ip(request: HttpRequest) -> str:
    """The client's address as a string ("" if the request has none, e.g. a bare test)."""
    address = client_address(request)
    return "" if address is None else str(address)
