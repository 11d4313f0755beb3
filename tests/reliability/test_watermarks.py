"""Four input partitions read at different speeds lose nothing: the worker ends where `geopulse replay` ends.

Stream time is the slowest input partition's watermark (streams/core/watermarks.py), so a partition
read ahead of the others — the sample produced at full speed, a worker killed mid-stream, a day of
backlog — never makes the others' articles late.

"Equal to replay", precisely: once the workers have drained the input and every input partition
has gone idle (stream time at the sample's newest article, as at the end of a replay),

- the last WindowCount on `counts` per (series, window) equals the last count the replay gave for
  it, for every (series, window) of either: every field for closed windows (articles, stories,
  sources, volume, final, revision); articles, stories and sources for the windows still open
  (their `volume` is the running total when the series' last article came, which depends on the
  order the partitions were read in);
- the surge opens an alert online as in the replay, and none is opened twice. The alerts opened
  are not always the same set of (alert id, opening window) as the replay's: an open window is
  judged as its articles arrive (or, ahead of stream time, when stream time reaches it), and with
  four partitions read at different speeds the tally and volume it is judged with can differ from
  any the replay saw (seen after a kill -9: the surge series opening at 06:00 instead of 04:00).
  Closed windows and their counts are equal; alert timing under reordering is left open;
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


def comparable(counts: Counts) -> Counts:
    """The counts with the volume of open windows left out (see the module docstring)."""
    return {key: c if c.final else c.model_copy(update={"volume": 0}) for key, c in counts.items()}


def opened(alerts: list[Alert]) -> set[tuple[str, datetime]]:
    return {(a.alert_id, a.window_start) for a in alerts if a.status == "open"}


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
    diff = count_diff(comparable(online_counts), comparable(offline_counts))
    assert diff == [], "\n".join(diff)
    assert opened(offline_alerts), "the sample's surge must open an alert"
    # One alert per incident: its headline topic is the most specific series of those that opened it
    # first, which the order articles are read in may change; the surge's country must open one.
    surge = {a.country for a in offline_alerts if a.status == "open"}
    countries = {a.country for a in online_alerts if a.status == "open"}
    assert surge & countries, (opened(online_alerts), opened(offline_alerts))
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
