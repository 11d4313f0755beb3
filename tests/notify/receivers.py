"""Test doubles that are real: scripted aiohttp receivers on loopback, a manual clock, a journal
that behaves like the compacted `webhooks.retry` topic, and an alert factory."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import standardwebhooks
from aiohttp import web

from schemas.alert import Alert
from streams.errors import SignatureError
from streams.notify.config import Endpoint
from streams.notify.pending import DeliveryResult, PendingDelivery
from streams.notify.signing import verify

SECRET = "whsec_" + base64.b64encode(b"geopulse-test-secret-0123456789").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"geopulse-old-secret-9876543210").decode()


def make_alert(n: int = 0, **fields: Any) -> Alert:
    """A valid alert; `n` varies the id so each call is a distinct delivery."""
    t = datetime(2022, 1, 5, 10, 0, tzinfo=UTC)
    data: dict[str, Any] = {
        "alert_id": f"KAZ|unrest|{n}",
        "status": "open",
        "country": "KAZ",
        "topic": "unrest",
        "window_start": t,
        "window_end": t + timedelta(hours=1),
        "observed": 38,
        "expected": 0.6,
        "ratio": 63.3,
        "score": 9.2,
        "severity": "high",
        "sources": 12,
        "summary": "Kazakhstan · unrest: 38 stories in the last hour, 0.6 expected",
        "top_articles": [
            {
                "id": "a1",
                "title": "Kazakhstan asks CSTO for troops",
                "url": "https://news.example/a1",
                "source": "reuters",
                "published_at": t,
            }
        ],
        "first_seen": t,
        "last_seen": t + timedelta(minutes=59),
        "detector": {"name": "gamma-poisson", "params": {"alpha": 1.0}},
    }
    return Alert.model_validate(data | fields)


def endpoint(name: str, url: str, **fields: Any) -> Endpoint:
    """An internal (loopback-allowed) endpoint signed with SECRET unless told otherwise."""
    data: dict[str, Any] = {"secret_env": "TEST_SECRET", "secrets": [SECRET], "internal": True, "timeout": 2.0}
    return Endpoint.model_validate(data | fields | {"name": name, "url": url})


class ManualClock:
    """Wall time that moves only when the test says so; `sleep` waits for `advance`."""

    def __init__(self, start: float | None = None) -> None:
        # Starts at the real time: the standardwebhooks reference checks timestamps against it.
        self.t = float(int(time.time() if start is None else start))
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.t + seconds, future))
        await future

    def advance(self, seconds: float) -> None:
        self.t += seconds
        waiting = []
        for deadline, future in self._sleepers:
            if deadline <= self.t and not future.done():
                future.set_result(None)
            elif not future.done():
                waiting.append((deadline, future))
        self._sleepers = waiting


class CompactedJournal:
    """Keeps the newest pending delivery per key and drops finished ones, like a compacted topic."""

    def __init__(self) -> None:
        self.records: dict[str, bytes] = {}
        self.results: list[DeliveryResult] = []
        self._changed = asyncio.Event()

    async def scheduled(self, pending: PendingDelivery) -> None:
        self.records[pending.key] = pending.to_json()

    async def finished(self, result: DeliveryResult) -> None:
        self.records.pop(result.key, None)
        self.results.append(result)
        self._changed.set()

    def restored(self) -> list[PendingDelivery]:
        return [PendingDelivery.model_validate_json(raw) for raw in self.records.values()]

    async def result_for(self, endpoint: str, timeout: float = 5.0) -> DeliveryResult:
        async def wait() -> DeliveryResult:
            while True:
                for result in self.results:
                    if result.endpoint == endpoint:
                        return result
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(wait(), timeout)


@dataclass
class Reply:
    """One scripted answer: a status, headers, and an optional wait before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hold: float = 0.0


@dataclass
class Received:
    """One request as the receiver saw it, with both signature checks."""

    headers: dict[str, str]
    body: bytes
    ours_ok: bool
    reference_ok: bool
    answered: int
    host: str


class Receiver:
    """An aiohttp server on 127.0.0.1 answering with a script (the last reply repeats)."""

    def __init__(self, script: list[Reply] | None = None, *, secret: str = SECRET) -> None:
        self.script = list(script or [Reply(200)])
        self.secret = secret
        self.requests: list[Received] = []
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        reply = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        self.requests.append(
            Received(
                headers,
                body,
                _ours(body, headers, self.secret),
                _reference(body, headers, self.secret),
                reply.status,
                request.host,
            )
        )
        self.arrived.set()
        if reply.hold:
            # Held until the test releases it (or the hold runs out), so teardown never waits long.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), reply.hold)
        return web.Response(status=reply.status, headers=reply.headers, text="scripted")

    @property
    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.requests]

    @property
    def stamps(self) -> list[int]:
        return [int(r.headers["webhook-timestamp"]) for r in self.requests]

    def json(self, index: int = -1) -> Any:
        return orjson.loads(self.requests[index].body)


def _ours(body: bytes, headers: dict[str, str], secret: str) -> bool:
    try:
        verify(body, headers, secret)
    except SignatureError:
        return False
    return True


def _reference(body: bytes, headers: dict[str, str], secret: str) -> bool:
    try:
        standardwebhooks.Webhook(secret).verify(body, headers, json_parse=False)
    except standardwebhooks.WebhookVerificationError:
        return False
    return True


Resolve = Callable[[str, int], Any]


def static_resolver(table: dict[str, list[str]]) -> Resolve:
    """A resolver answering from `table` (the injected DNS of the SSRF tests)."""

    async def resolve(host: str, port: int) -> list[str]:
        await asyncio.sleep(0)
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    return resolve
