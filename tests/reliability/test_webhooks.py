"""Webhook delivery through a real worker: a receiver that fails the first attempts, a worker
restarted while retries are pending, and in the end exactly one accepted delivery per delivery id,
every one correctly signed."""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from streams.broker import free_port
from streams.demo.sample import sample_articles
from streams.notify import verify
from streams.worker.clients import ensure_topics
from tests.integration.workers import WorkerProcess
from tests.reliability.support import produce_paced, settings_for, streamed_alerts, wait_for

pytestmark = pytest.mark.integration

FAILURES = 3  # 500s before a delivery id is accepted


@dataclass
class Receiver:
    """An HTTP endpoint on loopback that answers 500 to the first `failures` attempts of each id."""

    secret: str
    port: int = field(default_factory=free_port)
    failures: int = FAILURES
    attempts: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    bad_signatures: list[str] = field(default_factory=list)
    accepted_at: dict[str, float] = field(default_factory=dict)

    def config(self, path: Path, extra: str = "") -> Path:
        """A webhooks config file with one endpoint `rx` pointing here; `extra` adds YAML lines to it."""
        path.write_text(f"""endpoints:
  - name: rx
    url: http://127.0.0.1:{self.port}/hook
    secret_env: GEOPULSE_WEBHOOK_RX_SECRET
    internal: true
    timeout: 2
{extra}""")
        return path

    async def hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        delivery = request.headers.get("webhook-id", "?")
        try:
            verify(body, request.headers, self.secret)
        except Exception as exc:
            self.bad_signatures.append(f"{delivery}: {exc}")
            return web.Response(status=400)
        self.attempts[delivery] += 1
        if self.attempts[delivery] <= self.failures:
            return web.Response(status=500)
        self.accepted[delivery] += 1
        self.accepted_at.setdefault(delivery, time.monotonic())
        return web.Response(status=204)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rx = Receiver(secret="whsec_" + base64.b64encode(secrets.token_bytes(24)).decode())
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/hook", rx.hook)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", rx.port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield rx
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.run_until_complete(runner.cleanup())
    loop.close()


def test_every_alert_is_delivered_once_signed_across_retries_and_a_restart(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, receiver: Receiver, tmp_path: Path
) -> None:
    app_id = "hooks"
    config = receiver.config(tmp_path / "webhooks.yml", "    max_attempts: 30\n    retry: {waits: [1s, 2s]}\n")
    settings = settings_for(bootstrap, app_id)
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    worker = start_worker(app_id, webhooks_config=str(config), webhook_rx_secret=receiver.secret)
    produce_paced(settings, sample_articles(), 60.0)
    wait_for(lambda: sum(receiver.attempts.values()) >= 2, 60, "the first failed attempts")
    pending = len([d for d, n in receiver.attempts.items() if not receiver.accepted[d]])
    restarted = time.monotonic()
    assert worker.stop() == 0
    worker.start()
    print(f"restarted with {pending} deliveries pending at the receiver, back in {time.monotonic() - restarted:.1f}s")

    expected = {a.delivery_id for a in streamed_alerts(settings)}
    assert expected, "the sample's surge raises alerts"
    took = wait_for(lambda: set(receiver.accepted) >= expected, 120, "every delivery accepted", interval=0.5)
    time.sleep(3)  # anything delivered twice would arrive by now
    print(f"{len(expected)} deliveries, {sum(receiver.attempts.values())} signed attempts; all accepted {took:.1f}s "
          f"after the restart")  # fmt: skip
    assert receiver.bad_signatures == []
    assert set(receiver.accepted) == expected
    assert [d for d, n in receiver.accepted.items() if n != 1] == []
    after = [d for d, at in receiver.accepted_at.items() if at > restarted]
    print(f"{len(after)} deliveries were completed by the restarted worker")
    assert after, "the restart must fall while deliveries are still pending"
