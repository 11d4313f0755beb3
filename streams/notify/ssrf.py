"""SSRF guard: which addresses a public webhook endpoint may never reach.

The decision is pure (`is_forbidden`, `check_addresses`); resolution goes through an injected
`Resolver` (default: the event loop's getaddrinfo). The transport checks the addresses *after*
resolution and connects to exactly those addresses, so a DNS answer that changes between the check
and the connection (rebinding) cannot slip through.

>>> is_forbidden("169.254.169.254")
'link-local'
>>> is_forbidden("93.184.216.34") is None
True
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

from streams.errors import DeliveryError, ForbiddenTarget

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolve (host, port) to IP address strings."""

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_forbidden(ip: IPAddress | str) -> str | None:
    """Why a public endpoint may not connect to `ip`, or None if it may."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    embedded = _embedded_ipv4(addr)
    if embedded is not None:
        inner = is_forbidden(embedded)
        return None if inner is None else f"{inner} (embedded in {addr})"
    checks = (
        (addr.is_unspecified, "unspecified"),
        (addr.is_loopback, "loopback"),
        (addr.is_link_local, "link-local"),
        (addr.is_multicast, "multicast"),
        (addr.version == 4 and addr in _CGNAT, "carrier-grade NAT"),
        (addr.version == 6 and addr.is_site_local, "private"),
        (addr.is_reserved, "reserved"),
        (addr.is_private, "private"),
        (not addr.is_global, "not globally routable"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _embedded_ipv4(addr: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, NAT64, 6to4), so it is judged by that."""
    if addr.version != 6:
        return None
    assert isinstance(addr, ipaddress.IPv6Address)
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return addr.sixtofour


def check_addresses(host: str, addresses: Iterable[str], *, internal: bool) -> tuple[str, ...]:
    """The addresses to connect to; ForbiddenTarget if any is refused (one bad answer taints the host)."""
    found = tuple(dict.fromkeys(addresses))
    if not found:
        raise ForbiddenTarget(f"{host} resolves to no address")
    if internal:
        return found
    for address in found:
        reason = is_forbidden(address.split("%", 1)[0])
        if reason is not None:
            raise ForbiddenTarget(f"{host} resolves to {address} ({reason}); mark the endpoint internal to allow it")
    return found


async def system_resolve(host: str, port: int) -> list[str]:
    """Resolve with the event loop's getaddrinfo (TCP addresses, IPv4 and IPv6)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def resolve_checked(
    host: str, port: int, *, internal: bool, resolve: Resolver = system_resolve
) -> tuple[str, ...]:
    """Resolve `host` (an IP literal is its own answer) and check every address."""
    literal = ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await resolve(host, port)
        except OSError as exc:
            # A failed lookup is transient (retried), unlike a refused answer.
            raise DeliveryError(f"{host}: cannot resolve: {exc}") from exc
    return check_addresses(host, addresses, internal=internal)


def ip_literal(host: str) -> str | None:
    """`host` as an IP address string if it is one (brackets of a URL's IPv6 host allowed), else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None
