"""Four input partitions read at different speeds lose nothing: the worker ends where `geopulse replay` ends.

Stream time is the slowest input partition's watermark (streams/core/watermarks.py), so a partition
read ahead of the others — the sample produced at full speed, a worker killed mid-stream, a day of
backlog — never makes the others' articles late; and articles go in in (event time, id) order, each
once every active partition is read up to it (streams/core/ordering.py), so they are judged as a
replay judges them.

"Equal to replay", precisely: once the workers have drained the input and every input partition
has gone idle (stream time at the sample's newest article, as at the end of a replay),

- the last WindowCount on `counts` per (series, window) equals the last count the replay gave for
  it, every field, for every (series, window) of either (the open windows' too);
- every alert step equals the replay's: per alert id, the steps by revision (status, series key,
  window size, window start, severity, stories), and none is opened twice (a step republished
  after a kill -9 is the same step);
- no article was behind stream time (no `corrected` or `late` outcome, no such log line).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from schemas import Alert, Article, WindowCount
from streams.core.replay import replay
from streams.core.tagging import Tagger
from streams.demo.sample import sample_articles
from streams.settings import Settings, tracker_config
from streams.worker.clients import produce
from tests.integration.workers import WorkerProcess, topic_names
from tests.reliability.support import (
    count_diff,
    drained,
    final_counts,
    metric_samples,
    opened_twice,
    streamed_alerts,
    streamed_counts,
    wait_for,
)

pytestmark = pytest.mark.integration

PARTITIONS = "4"
IDLE_TIMEOUT = "2"  # seconds: the end of the stream is reached sooner
Counts = dict[tuple[str, datetime], WindowCount]


def settings_of(bootstrap: str, app_id: str) -> Settings:
    return Settings(kafka_bootstrap=bootstrap, app_id=app_id, topics=topic_names(app_id), partitions=int(PARTITIONS))


def start(start_worker: Callable[..., WorkerProcess], app_id: str) -> WorkerProcess:
    return start_worker(app_id, partitions=PARTITIONS, idle_timeout=IDLE_TIMEOUT)


def send(settings: Settings, articles: list[Article]) -> None:
    """At full speed, keyed by id: the articles spread over the four partitions of `articles`."""
    produce(settings, settings.topics.articles, [(a.id.encode(), a.to_json()) for a in articles])


def replayed(
    settings: Settings, articles: list[Article]
) -> tuple[dict[tuple[str, datetime], WindowCount], list[Alert]]:
    tagger = Tagger.default()
    seen = list(replay([tagger.tag(a) for a in articles], tracker_config(settings)))
    return final_counts(c for o in seen for c in o.counts), [a for o in seen for a in o.alerts]


def opened(alerts: list[Alert]) -> set[tuple[str, datetime]]:
    return {(a.alert_id, a.window_start) for a in alerts if a.status == "open"}


Step = tuple[int, str, str, str, datetime, str, int]


def steps(alerts: list[Alert]) -> dict[str, list[Step]]:
    """Per alert id, its steps by revision (one copy of a step republished after a crash)."""
    found: dict[str, dict[int, Step]] = {}
    for a in alerts:
        step = (a.revision, a.status, a.key, a.window, a.window_start, a.severity, a.observed)
        assert found.setdefault(a.alert_id, {}).setdefault(a.revision, step) == step, (a.alert_id, a.revision)
    return {alert_id: [by[r] for r in sorted(by)] for alert_id, by in found.items()}


def at_the_end(workers: list[WorkerProcess], articles: list[Article]) -> Callable[[], bool]:
    """True once every worker's stream time reached the newest article (every input partition idle)."""
    newest = max(a.published_at for a in articles).timestamp()

    def check() -> bool:
        return all(metric_samples(w, "geopulse_stream_time_seconds").get("") == int(newest) for w in workers)

    return check


def assert_equal_to_replay(
    settings: Settings, workers: list[WorkerProcess], articles: list[Article], *, redelivered: bool = False
) -> None:
    wait_for(drained(settings), 90, "workers drain articles and digests")
    try:
        wait_for(at_the_end(workers, articles), 60, "stream time reaches the newest article")
    except TimeoutError:
        times = [metric_samples(w, "geopulse_stream_time_seconds") for w in workers]
        newest = max(a.published_at for a in articles).timestamp()
        said = [line for w in workers for line in w.log_path.read_text(errors="replace").splitlines()
                if "partitions idle" in line or "behind stream time" in line]  # fmt: skip
        raise AssertionError(f"stream times {times}, newest article {newest}\n" + "\n".join(said)) from None
    online_counts, online_alerts = streamed_counts(settings), streamed_alerts(settings)
    offline_counts, offline_alerts = replayed(settings, articles)
    diff = count_diff(online_counts, offline_counts)
    assert diff == [], "\n".join(diff)
    assert opened(offline_alerts), "the sample's surge must open an alert"
    assert steps(online_alerts) == steps(offline_alerts)
    assert opened_twice(online_alerts) == []
    for worker in workers:
        outcomes = metric_samples(worker, "geopulse_articles_total")
        assert outcomes['{outcome="corrected"}'] == 0
        # Articles re-read after a crash, once stream time is a day past them, are no longer known
        # as counted (the dedupe memory) and are refused as late: their count is in already.
        assert redelivered or outcomes['{outcome="late"}'] == 0
        assert redelivered or "articles behind stream time" not in worker.log_path.read_text(errors="replace")


def test_sample_at_full_speed_on_four_partitions_counts_every_article_as_replay(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    app_id = "wm-burst"
    settings = settings_of(bootstrap, app_id)
    worker = start(start_worker, app_id)
    articles = sample_articles()
    send(settings, articles)
    assert_equal_to_replay(settings, [worker], articles)
    outcomes = metric_samples(worker, "geopulse_articles_total")
    assert outcomes['{outcome="counted"}'] == len({a.id for a in articles})


def test_kill_9_of_one_of_two_workers_at_full_speed_ends_as_replay(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    app_id = "wm-kill"
    settings = settings_of(bootstrap, app_id)
    workers = [start(start_worker, app_id), start(start_worker, app_id)]
    articles = sample_articles()
    wait_for(lambda: all(w.get("/ready")[0] == 200 for w in workers), 60, "both workers ready after joining")
    send(settings, articles)

    def counted_some() -> bool:
        return sum(metric_samples(w, "geopulse_articles_total").get('{outcome="counted"}', 0) for w in workers) > 20

    wait_for(counted_some, 60, "the workers count the first articles", interval=0.05)
    workers[0].kill()
    restart = threading.Thread(target=workers[0].start, daemon=True)
    restart.start()
    restart.join(90)
    assert_equal_to_replay(settings, workers, articles, redelivered=True)


def test_a_day_of_backlog_read_at_start_ends_as_replay(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    app_id = "wm-backlog"
    settings = settings_of(bootstrap, app_id)
    articles = sample_articles()
    first_day = [a for a in articles if a.published_at < articles[0].published_at + timedelta(days=1)]
    worker = start(start_worker, app_id)
    send(settings, first_day)
    wait_for(drained(settings), 90, "the worker drains the first day")
    worker.stop()
    send(settings, articles[len(first_day) :])  # the rest (two days) while it is down
    time.sleep(0.5)
    worker.start()
    assert_equal_to_replay(settings, [worker], articles)
