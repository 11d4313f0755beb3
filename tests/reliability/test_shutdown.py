"""SIGTERM commits offsets and flushes producers: a restarted worker re-processes at most the batch
that was in flight, and nothing at all after an idle shutdown."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable

import orjson
import pytest

from schemas import Article, TaggedArticle
from streams.settings import Settings
from tests.integration.workers import WorkerProcess
from tests.reliability.badinput import good_article
from tests.reliability.support import drained, offsets_of, produce_paced, settings_for, values, wait_for

pytestmark = pytest.mark.integration

BATCH = 50


def event_ids(settings: Settings) -> Counter[str]:
    return Counter(TaggedArticle.model_validate_json(v).id for v in values(settings, settings.topics.events))


def test_sigterm_mid_stream_reprocesses_at_most_the_batch_in_flight(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    app_id = "sigterm"
    settings = settings_for(bootstrap, app_id, batch_size=BATCH)
    worker = start_worker(app_id, batch_size=str(BATCH))
    rng = random.Random(7)
    articles = [Article.model_validate(good_article(n, rng)) for n in range(600)]
    restarts: list[threading.Thread] = []

    def restart(sent: int) -> None:
        if sent in (200, 400):
            for thread in restarts:
                thread.join(90)
            code = worker.stop()
            assert code == 0, worker.log()
            thread = threading.Thread(target=worker.start, daemon=True)
            thread.start()
            restarts.append(thread)

    produce_paced(settings, articles, 60.0, restart)
    for thread in restarts:
        thread.join(90)
    wait_for(drained(settings), 90, "the worker drains articles and digests")
    seen = event_ids(settings)
    missing = {a.id for a in articles} - set(seen)
    # Once faust lost the record at the committed offset after a restart (a record handed over
    # while table recovery seeks was cleared from the agent's queue; streams/worker/workarounds.py).
    assert not missing, f"lost (id: [(partition, offset)]): {offsets_of(settings, missing)}\n{worker.log()}"
    assert "were never delivered" not in worker.log_path.read_text(errors="replace")
    twice = sum(n - 1 for n in seen.values())
    print(f"2 SIGTERM restarts mid-stream: {twice} of {len(articles)} articles tagged twice (batch {BATCH})")
    assert twice <= 2 * BATCH

    # After an idle shutdown nothing is in flight: a restart re-processes nothing.
    before = sum(seen.values())
    assert worker.stop() == 0
    worker.start()
    extra = articles[-1].model_copy(update={"id": "after-restart"})
    produce_paced(settings, [extra], 10.0)
    wait_for(lambda: "after-restart" in event_ids(settings), 60, "the article sent after the restart")
    assert sum(event_ids(settings).values()) == before + 1
    assert orjson.loads(worker.get("/ready")[1])["ready"] is True
