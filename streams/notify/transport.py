"""The one door for webhook I/O: `Transport.send`, and its aiohttp implementation.

Unit tests pass an in-process fake `Transport`; the worker and the integration tests use
`AiohttpTransport`, which enforces the SSRF guard inside the connection itself: its connector's
resolver resolves the host, checks every address and hands the connector exactly those addresses,
so the address checked is the address connected to (no DNS rebinding window). Redirects are never
followed and proxies from the environment are ignored (either would bypass the guard).
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

import streams
from streams.errors import DeliveryError
from streams.notify.ssrf import Resolver, check_addresses, ip_literal, resolve_checked, system_resolve

USER_AGENT = f"geopulse-webhooks/{streams.__version__}"
EXCERPT_BYTES = 300


@dataclass(frozen=True)
class WebhookRequest:
    """One POST to an endpoint."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    timeout: float
    internal: bool = False


@dataclass(frozen=True)
class WebhookResponse:
    """What came back: the status, the headers that matter, the start of the body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    excerpt: str = ""


class Transport(Protocol):
    """Sends a request; raises TimeoutError, ForbiddenTarget, or DeliveryError (no response)."""

    async def send(self, request: WebhookRequest) -> WebhookResponse: ...


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that returns only addresses the SSRF guard accepted."""

    def __init__(self, resolve: Resolver, *, internal: bool) -> None:
        self._resolve = resolve
        self._internal = internal

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await resolve_checked(host, port, internal=self._internal, resolve=self._resolve)
        return [_result(host, address, port) for address in addresses]

    async def close(self) -> None:
        return None


def _result(host: str, address: str, port: int) -> ResolveResult:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return {"hostname": host, "host": address, "port": port, "family": family, "proto": 0, "flags": 0}


class AiohttpTransport:
    """`Transport` over aiohttp: one pooled session for public endpoints, one for internal ones."""

    def __init__(self, resolve: Resolver = system_resolve, *, limit: int = 100) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        self._resolve = resolve
        self._limit = limit
        self._sessions: dict[bool, aiohttp.ClientSession] = {}

    def _session(self, internal: bool) -> aiohttp.ClientSession:
        if internal not in self._sessions:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self._resolve, internal=internal), use_dns_cache=False, limit=self._limit
            )
            self._sessions[internal] = aiohttp.ClientSession(
                connector=connector, trust_env=False, headers={"User-Agent": USER_AGENT}
            )
        return self._sessions[internal]

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        host = urlsplit(request.url).hostname or ""
        literal = ip_literal(host)
        if literal is not None:  # aiohttp skips the resolver for IP literals, so check them here
            check_addresses(host, [literal], internal=request.internal)
        try:
            return await self._post(request)
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimeoutError(f"no response within {request.timeout:g}s") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    async def _post(self, request: WebhookRequest) -> WebhookResponse:
        async with self._session(request.internal).post(
            request.url,
            data=request.body,
            headers=dict(request.headers),
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=request.timeout),
        ) as response:
            excerpt = await response.content.read(EXCERPT_BYTES)
            wanted = {k: response.headers[k] for k in ("Retry-After", "Location") if k in response.headers}
            return WebhookResponse(response.status, wanted, excerpt.decode("utf-8", "replace"))

    async def close(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
