"""kill -9 in the middle of a stream: the final counts equal an offline recount, no alert opens twice.

The worker runs at_least_once: after a crash it re-reads everything since its last commit. The
count/detect state is keyed by article id, so a re-read article is a duplicate and changes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from streams.demo.sample import sample_articles
from streams.worker.clients import ensure_topics
from tests.integration.workers import WorkerProcess
from tests.reliability.support import (
    count_diff,
    drained,
    opened_twice,
    produce_paced,
    recount,
    settings_for,
    streamed_alerts,
    streamed_counts,
    wait_for,
)

pytestmark = pytest.mark.integration


def kill_and_restart(worker: WorkerProcess, restarts: list[threading.Thread]) -> None:
    worker.kill()
    thread = threading.Thread(target=worker.start, daemon=True)
    thread.start()
    restarts.append(thread)


@pytest.mark.parametrize(
    ("kills", "rate"),
    [
        pytest.param(0, 40.0, id="control", marks=pytest.mark.slow),
        pytest.param(1, 40.0, id="one-kill"),
        pytest.param(4, 25.0, id="four-kills", marks=pytest.mark.slow),
    ],
)
def test_kill_9_mid_stream_then_restart_counts_exactly_as_offline(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, kills: int, rate: float
) -> None:
    app_id = f"crash{kills}"
    settings = settings_for(bootstrap, app_id)
    articles = sample_articles()  # ~450 articles over 3 days with a surge, in event-time order
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    worker = start_worker(app_id)
    points = {len(articles) * (k + 1) // (kills + 1) for k in range(kills)}
    restarts: list[threading.Thread] = []

    def between(sent: int) -> None:
        if sent in points:
            for thread in restarts:
                thread.join(90)
            kill_and_restart(worker, restarts)

    produce_paced(settings, articles, rate, between)
    for thread in restarts:
        thread.join(90)
    worker.wait_ready(60)
    took = wait_for(drained(settings), 90, "worker drains articles and digests")
    print(f"{kills} kill(s) survived; drained {took:.1f}s after the last article")

    online, offline = streamed_counts(settings), recount(settings, articles)
    print(f"compared {len(offline)} final (series, window) counts")
    diff = count_diff(online, offline)
    assert diff == [], "\n".join(diff)
    alerts = streamed_alerts(settings)
    assert any(a.status == "open" for a in alerts), "the sample's surge must open an alert"
    assert opened_twice(alerts) == []
