"""Broker outage: /ready says so, the worker waits without a crash loop (its log summarises the
repeated errors instead of writing thousands), and resumes afterwards.

The local broker keeps everything in memory, so the broker that comes back on the same port is
empty: no topics, no committed offsets, no table changelog. The worker does not try to patch that
up (its consumer would retry commits to vanished topics forever): it stops with an error naming the
missing topics, and the restart that any supervisor does recreates them and goes on. Its state is
gone with the broker's changelog, as it must be; what the test checks is that nothing hangs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from schemas import Article, TaggedArticle
from streams.broker import LocalBroker
from tests.integration.workers import WorkerProcess, worker_env
from tests.reliability.badinput import good_article
from tests.reliability.support import produce_paced, settings_for, values, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    broker = LocalBroker(log_dir=tmp_path).start()
    yield broker
    broker.stop()


# A supervisor's restarts of a worker whose sends tansu refused (one per partition written, at most).
RESTARTS = 12


def readiness(worker: WorkerProcess) -> tuple[int, dict[str, object]]:
    try:
        status, body = worker.get("/ready")
    except OSError:
        return 0, {}
    return status, orjson.loads(body)


def tagged_ids(settings: object) -> set[str]:
    return {TaggedArticle.model_validate_json(v).id for v in values(settings, settings.topics.events)}  # type: ignore[attr-defined]


def test_broker_outage_is_reported_and_processing_resumes_on_an_empty_broker(
    own_broker: LocalBroker, tmp_path: Path
) -> None:
    settings = settings_for(own_broker.bootstrap, "outage")
    worker = WorkerProcess(worker_env(own_broker.bootstrap, "outage", tmp_path / "data"), log_dir=tmp_path)
    rng = random.Random(3)
    before = [Article.model_validate(good_article(n, rng, prefix="before")) for n in range(20)]
    after = [Article.model_validate(good_article(n, rng, prefix="after")) for n in range(20)]
    try:
        worker.start()
        produce_paced(settings, before, 50.0)
        wait_for(lambda: tagged_ids(settings) >= {a.id for a in before}, 60, "articles before the outage")

        own_broker.stop()
        down = time.monotonic()
        log_at_outage = worker.log_path.stat().st_size
        noticed = wait_for(lambda: readiness(worker) == (503, {**readiness(worker)[1], "broker_up": False}), 30,
                           "/ready reports the outage")  # fmt: skip
        time.sleep(10)
        assert worker.proc is not None and worker.proc.poll() is None, worker.log()
        assert readiness(worker)[0] == 503

        outage_log = worker.log_path.read_bytes()[log_at_outage:].decode(errors="replace").splitlines()
        errors = [line for line in outage_log if "ERROR" in line or "WARNING" in line]
        returned = LocalBroker(port=own_broker.port, log_dir=tmp_path).start()  # empty: memory storage
        try:
            back = time.monotonic()
            assert worker.proc is not None
            answers = []
            while worker.proc.poll() is None and time.monotonic() - back < 60:
                answers.append(readiness(worker))
                time.sleep(0.2)
            code = worker.proc.wait(5)
            stopped = time.monotonic() - back
            # From the broker's return to the exit, /ready never says ready: the worker decided to stop.
            assert [a for a in answers if a[0] == 200] == [], answers
            assert code != 0
            assert "the broker came back without topics" in worker.log()
            worker.start()  # what a supervisor does; `geopulse worker` recreates the topics
            produce_paced(settings, after, 50.0)
            # tansu may refuse the first records written to a recreated topic's partition (two writes
            # race for its first batch: AlreadyExists in its store); the worker then stops without a
            # commit (exit 2), and the supervisor restarts it. Each partition can race once, so the
            # restarts are bounded by the partitions written, not by a small guess.
            refused: list[int | None] = []

            def resumed_after_restarts() -> bool:
                if worker.proc is not None and worker.proc.poll() is not None and len(refused) < RESTARTS:
                    refused.append(worker.proc.returncode)
                    worker.start()
                return tagged_ids(settings) >= {a.id for a in after}

            try:
                resumed = wait_for(resumed_after_restarts, 150, "articles after the outage")
            except TimeoutError as exc:
                alive = worker.proc is not None and worker.proc.poll() is None
                raise AssertionError(
                    f"{exc}: {len(tagged_ids(settings) & {a.id for a in after})} of {len(after)} tagged; "
                    f"restarts {refused}; worker {'alive' if alive else 'exited'}; log:\n{worker.log()}"
                ) from exc
            assert set(refused) <= {2}, worker.log()
            print(f"outage noticed in {noticed:.1f}s; down {back - down:.1f}s with {len(errors)} warning/error "
                  f"lines; stopped {stopped:.1f}s after an empty broker returned ({len(answers)} /ready answers, "
                  f"none 200); restarted, tagged new articles in {resumed:.1f}s "
                  f"({len(refused)} more restart(s) after a refused send)")  # fmt: skip
            # A summary per kind of error and 10 s interval, not one line per failed connection.
            assert len(errors) < 60, "\n".join(errors[:80])
        finally:
            worker.stop()
            returned.stop()
    finally:
        worker.stop()
