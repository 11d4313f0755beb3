"""A receiver down for longer than the old retry schedule lasted, through a real worker.

The default schedule (Standard Webhooks': 5 s … 10 h, 27 h 35 min in all) runs here scaled by
GEOPULSE_WEBHOOK_RETRY_SCALE=0.001: 99 s in all, its last two waits 36 s each. The receiver is
down (its port closed) for 60 s — longer than the 37–58 s in which the old schedule spent all its
attempts, the same share of the schedule as a 16.7 h outage at full scale. Every alert step must
then arrive exactly once per webhook-id, correctly signed, and nothing go to webhooks.dlq; with a
kill -9 of the worker in the middle of the outage, the same. A last test lets deliveries give up
on a short schedule and brings them back with `geopulse webhooks redeliver`.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from streams.demo.sample import sample_articles
from streams.worker.clients import ensure_topics
from tests.integration.workers import WorkerProcess
from tests.reliability.support import metric_samples, produce_paced, records, settings_for, streamed_alerts, wait_for
from tests.reliability.test_webhooks import Receiver

pytestmark = pytest.mark.integration

SCALE = "0.001"
OUTAGE = 60.0  # seconds the receiver's port is closed
REPO = Path(__file__).resolve().parents[2]


class OutageReceiver:
    """test_webhooks' signature-checking receiver (accepting every attempt) on a fixed loopback
    port that can be taken down (port closed: nothing arrives) and brought up again."""

    def __init__(self) -> None:
        self.rx = Receiver(secret="whsec_" + base64.b64encode(secrets.token_bytes(24)).decode(), failures=0)
        self.secret, self.port = self.rx.secret, self.rx.port
        self.accepted, self.bad = self.rx.accepted, self.rx.bad_signatures
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        app = web.Application()
        app.router.add_post("/hook", self.rx.hook)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        self._call(self._runner.setup())
        self._site: web.TCPSite | None = None

    def _call(self, coro: object) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)  # type: ignore[arg-type]

    def up(self) -> None:
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        self._call(self._site.start())

    def down(self) -> None:
        if self._site is not None:
            self._call(self._site.stop())
            self._site = None

    def close(self) -> None:
        self.down()
        self._call(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def config(self, path: Path, extra: str = "") -> Path:
        return self.rx.config(path, extra)


@pytest.fixture
def receiver() -> Iterator[OutageReceiver]:
    rx = OutageReceiver()
    yield rx
    rx.close()


def run_outage(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, receiver: OutageReceiver, tmp_path: Path,
    app_id: str, during: Callable[[WorkerProcess], WorkerProcess] | None = None,
) -> tuple[set[str], WorkerProcess]:  # fmt: skip
    """Stream the sample with the receiver down for OUTAGE s; the expected delivery ids and the worker."""
    settings = settings_for(bootstrap, app_id)
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    config = receiver.config(tmp_path / "webhooks.yml")
    worker = start_worker(app_id, webhooks_config=str(config), webhook_rx_secret=receiver.secret,
                          webhook_retry_scale=SCALE)  # fmt: skip
    produce_paced(settings, sample_articles(), 60.0)
    wait_for(lambda: len(streamed_alerts(settings)) > 0, 60, "the sample's alerts")
    down_since = time.monotonic()  # the receiver was never up: the outage counts from the first alert
    if during is not None:
        worker = during(worker)
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_since)))
    receiver.up()
    expected = {a.delivery_id for a in streamed_alerts(settings)}
    took = wait_for(lambda: set(receiver.accepted) >= expected, 150, "every delivery accepted after the outage")
    time.sleep(3)  # a duplicate would arrive by now
    print(f"{len(expected)} alert steps; receiver down {OUTAGE:.0f}s; all accepted {took:.1f}s after it came back")
    return expected, worker


def assert_exactly_once_and_no_dead_letter(
    receiver: OutageReceiver, expected: set[str], worker: WorkerProcess, app_id: str, bootstrap: str
) -> None:
    settings = settings_for(bootstrap, app_id)
    assert receiver.bad == []
    assert set(receiver.accepted) == expected
    assert [d for d, n in receiver.accepted.items() if n != 1] == []
    assert records(settings, settings.topics.webhooks_dlq) == []
    dead = metric_samples(worker, "geopulse_dead_letters_total")
    assert {k: v for k, v in dead.items() if "webhooks.dlq" in k and v} == {}
    assert any("webhooks.dlq" in k and "max_attempts" in k for k in dead), "declared at 0"


@pytest.mark.slow
def test_a_receiver_down_longer_than_the_old_schedule_gets_every_step_once(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, receiver: OutageReceiver, tmp_path: Path
) -> None:
    expected, worker = run_outage(start_worker, bootstrap, receiver, tmp_path, "outage-rx")
    assert_exactly_once_and_no_dead_letter(receiver, expected, worker, "outage-rx", bootstrap)


@pytest.mark.slow
def test_a_kill_9_during_the_outage_loses_and_duplicates_nothing(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, receiver: OutageReceiver, tmp_path: Path
) -> None:
    def crash(worker: WorkerProcess) -> WorkerProcess:
        time.sleep(10)  # some retries made and journaled
        worker.kill()
        return worker.start()

    expected, worker = run_outage(start_worker, bootstrap, receiver, tmp_path, "outage-kill", during=crash)
    assert "restoring" in worker.log_path.read_text(errors="replace")
    assert_exactly_once_and_no_dead_letter(receiver, expected, worker, "outage-kill", bootstrap)


def test_dead_letters_alert_and_come_back_with_redeliver(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, receiver: OutageReceiver, tmp_path: Path
) -> None:
    """Two attempts 0.5 s apart against a closed port: every step dead-lettered, counted at once,
    then sent again by `geopulse webhooks redeliver rx` with its own webhook-id (twice: no duplicate)."""
    app_id = "redeliver"
    settings = settings_for(bootstrap, app_id)
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    config = receiver.config(tmp_path / "webhooks.yml", "    retry: {waits: [0.5]}\n")
    worker = start_worker(app_id, webhooks_config=str(config), webhook_rx_secret=receiver.secret)
    produce_paced(settings, sample_articles(short=True), 60.0)
    wait_for(lambda: len(streamed_alerts(settings)) > 0, 60, "the sample's alerts")
    expected = {a.delivery_id for a in streamed_alerts(settings)}
    dead_count = lambda: metric_samples(worker, "geopulse_dead_letters_total").get(  # noqa: E731
        f'{{reason="max_attempts",topic="{settings.topics.webhooks_dlq}"}}', 0.0)  # fmt: skip
    wait_for(lambda: dead_count() >= len(expected), 60, "every delivery dead-lettered")
    letters = records(settings, settings.topics.webhooks_dlq)
    assert len(letters) == dead_count() == len(expected)

    receiver.up()
    env = {**worker.env, "GEOPULSE_WEBHOOK_RX_SECRET": receiver.secret, "PYTHONPATH": str(REPO)}
    for run in (1, 2):
        done = subprocess.run([sys.executable, "-m", "streams", "webhooks", "redeliver", "rx"], env=env,
                              capture_output=True, text=True, timeout=120, cwd=REPO)  # fmt: skip
        print(done.stdout.splitlines()[-1])
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"rx: {len(expected)} dead-lettered deliveries on {settings.topics.webhooks_dlq} sent again, " \
               f"{len(expected)} delivered, 0 failed" in done.stdout  # fmt: skip
        assert set(receiver.accepted) == expected and set(receiver.accepted.values()) == {run}
    assert receiver.bad == []
