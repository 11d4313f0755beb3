"""The SSRF guard's decision table and its resolution step (resolver injected)."""

from __future__ import annotations

import ipaddress

import pytest

from streams.errors import DeliveryError, ForbiddenTarget
from streams.notify.ssrf import check_addresses, ip_literal, is_forbidden, resolve_checked
from tests.notify.receivers import static_resolver

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.10", "private"),  # documentation range (TEST-NET-1)
    ("198.18.0.1", "private"),  # benchmarking
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),  # unique local
    ("fe80::1", "link-local"),
    ("fec0::1", "private"),  # deprecated site-local
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback (embedded in ::ffff:7f00:1)"),
    ("::ffff:169.254.169.254", "link-local (embedded in ::ffff:a9fe:a9fe)"),
    ("64:ff9b::a9fe:a9fe", "link-local (embedded in 64:ff9b::a9fe:a9fe)"),  # NAT64
    ("2002:7f00:1::", "loopback (embedded in 2002:7f00:1::)"),  # 6to4
    ("2001:db8::1", "private"),  # documentation
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(("ip", "reason"), REFUSED)
def test_forbidden_addresses_with_reason(ip: str, reason: str) -> None:
    assert is_forbidden(ip) == reason
    assert is_forbidden(ipaddress.ip_address(ip)) == reason


@pytest.mark.parametrize("ip", ALLOWED)
def test_public_addresses_allowed(ip: str) -> None:
    assert is_forbidden(ip) is None


def test_one_forbidden_answer_taints_the_host() -> None:
    with pytest.raises(ForbiddenTarget, match=r"evil.test resolves to 10.0.0.1 \(private\)"):
        check_addresses("evil.test", ["8.8.8.8", "10.0.0.1"], internal=False)


def test_internal_endpoints_may_reach_anything_resolved() -> None:
    assert check_addresses("sidecar", ["127.0.0.1", "127.0.0.1", "::1"], internal=True) == ("127.0.0.1", "::1")


def test_no_address_is_refused() -> None:
    with pytest.raises(ForbiddenTarget, match="no address"):
        check_addresses("void.test", [], internal=True)


@pytest.mark.parametrize(("host", "literal"), [("127.0.0.1", "127.0.0.1"), ("[::1]", "::1"), ("example.org", None)])
def test_ip_literal(host: str, literal: str | None) -> None:
    assert ip_literal(host) == literal


@pytest.mark.asyncio
async def test_hostname_resolving_to_metadata_address_is_refused() -> None:
    resolve = static_resolver({"metadata.test": ["169.254.169.254"]})
    with pytest.raises(ForbiddenTarget, match=r"169\.254\.169\.254 \(link-local\)"):
        await resolve_checked("metadata.test", 80, internal=False, resolve=resolve)


@pytest.mark.asyncio
async def test_ip_literal_is_checked_without_dns() -> None:
    resolve = static_resolver({})  # would fail if asked
    with pytest.raises(ForbiddenTarget, match="loopback"):
        await resolve_checked("127.0.0.1", 80, internal=False, resolve=resolve)
    assert await resolve_checked("8.8.8.8", 80, internal=False, resolve=resolve) == ("8.8.8.8",)


@pytest.mark.asyncio
async def test_failed_lookup_is_a_transient_delivery_error_not_a_refusal() -> None:
    with pytest.raises(DeliveryError, match="cannot resolve") as caught:
        await resolve_checked("gone.test", 80, internal=False, resolve=static_resolver({}))
    assert not isinstance(caught.value, ForbiddenTarget)
