"""Soak: a steady stream whose event time advances one simulated hour per second of wall time, so
windows close and per-article records expire (24 h of stream time) early in the run. After that
RSS, state keys, asyncio tasks and open sockets must stay flat: the second half's peak within a
bound of the first half's (after warm-up)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from schemas import Article
from tests.integration.workers import WorkerProcess
from tests.reliability.badinput import good_article
from tests.reliability.support import metric_samples, proc_stats, produce_paced, settings_for

pytestmark = pytest.mark.integration

RATE = 40.0  # articles per second
SIM_PER_SECOND = timedelta(hours=1)  # event time per second of wall time
WARMUP = 35.0  # seconds: > 24 simulated hours (dedupe ttl) + a window and its grace


def steady_stream(stop: threading.Event) -> Iterator[Article]:
    rng = random.Random(11)
    start = datetime(2022, 3, 1, tzinfo=UTC)
    step = SIM_PER_SECOND / RATE
    n = 0
    while not stop.is_set():
        data = good_article(n, rng, prefix="soak")
        yield Article.model_validate({**data, "published_at": (start + n * step).isoformat()})
        n += 1


def sample(worker: WorkerProcess, started: float) -> dict[str, float]:
    assert worker.proc is not None
    stats = proc_stats(worker.proc.pid)
    return {"t": time.monotonic() - started, "rss_mb": stats["rss_kb"] / 1024, "sockets": stats["sockets"],
            "keys": metric_samples(worker, "geopulse_state_keys")[""],
            "tasks": metric_samples(worker, "geopulse_asyncio_tasks")[""]}  # fmt: skip


@pytest.mark.parametrize(
    "seconds",
    [
        pytest.param(90, id="90s", marks=pytest.mark.slow),
        pytest.param(660, id="11min", marks=[pytest.mark.slow, pytest.mark.timeout(900)]),
    ],
)
def test_memory_state_tasks_and_sockets_stay_flat_under_a_steady_stream(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, seconds: int
) -> None:
    app_id = f"soak{seconds}"
    settings = settings_for(bootstrap, app_id)
    worker = start_worker(app_id)
    stop = threading.Event()
    sent: list[int] = []
    producer = threading.Thread(target=lambda: sent.append(produce_paced(settings, steady_stream(stop), RATE)))
    started = time.monotonic()
    producer.start()
    samples = []
    try:
        while time.monotonic() - started < seconds:
            time.sleep(5)
            samples.append(sample(worker, started))
    finally:
        stop.set()
        producer.join(30)
    for s in samples:
        print("t={t:4.0f}s rss={rss_mb:6.1f}MB keys={keys:6.0f} tasks={tasks:3.0f} sockets={sockets:3.0f}".format(**s))
    print(f"{sent[0]} articles in {seconds}s ({sent[0] / seconds:.0f}/s); {seconds * SIM_PER_SECOND} of event time")
    settled = [s for s in samples if s["t"] >= WARMUP]
    half = len(settled) // 2
    first, second = settled[:half], settled[half:]

    def peak(part: list[dict[str, float]], name: str) -> float:
        return max(s[name] for s in part)

    def floor(part: list[dict[str, float]], name: str) -> float:
        return min(s[name] for s in part)

    assert peak(second, "keys") <= peak(first, "keys") * 1.15 + 50
    assert peak(second, "rss_mb") <= peak(first, "rss_mb") * 1.10 + 15
    # Tasks and sockets come and go with the work in flight when a sample is taken: a batch's sends
    # are one task each (a loaded machine takes bigger batches, so a sample can see 30-40 more) and
    # the health check opens a connection every 5 s. What was leaked stays in every sample after it,
    # so compare the floors: the fewest seen in each half.
    assert floor(second, "tasks") <= floor(first, "tasks") + 3
    assert floor(second, "sockets") <= floor(first, "sockets") + 2
    assert worker.get("/ready")[0] == 200
