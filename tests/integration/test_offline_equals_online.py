"""The worker over a real broker and `geopulse replay` give the same alerts on the same input."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from schemas import Alert, Article, WindowCount
from streams.demo.sample import sample_articles
from streams.offline import run_replay
from streams.settings import Settings
from streams.worker.clients import consume, ensure_topics, produce
from tests.integration.workers import WorkerProcess, topic_names

pytestmark = pytest.mark.integration


def alert_facts(alert: Alert) -> tuple[object, ...]:
    return (alert.alert_id, alert.revision, alert.status, alert.country, alert.topic, alert.window_start,
            alert.window_end, alert.window, tuple(alert.topics), alert.observed, round(alert.expected, 6),
            alert.severity)  # fmt: skip


def counted(worker: WorkerProcess) -> float:
    _, body = worker.get("/metrics")
    outcomes = ('outcome="counted"', 'outcome="duplicate"', 'outcome="late"')
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines()
               if line.startswith("geopulse_articles_total") and any(o in line for o in outcomes))  # fmt: skip


def wait_counted(worker: WorkerProcess, total: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while counted(worker) < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"worker did not count {total} articles in {timeout}s")
        time.sleep(0.02)


# A replay compresses days of news into seconds, so articles fetched from different partitions of
# `articles` could overtake each other by hours of event time (a live feed arrives in order). The
# input topic has one partition here, so arrival order is the file order; the count/detect stage
# has one or two partitions, and the worker, which splits the series over them, must raise exactly
# the alerts one offline tracker raises.
# Several window sizes at once (the default 1h,1d, and three sizes): the incidents merged from them
# are the same on the worker, whose series are spread over partitions, as in one offline tracker.
# With an hour offset from the clock (1h+30m), its steps (windows ending at half past) are the same too.
# With GEOPULSE_DEVELOPMENTS on, a development of the last day (three talks stories of one country) alerts too.
@pytest.mark.parametrize(
    ("partitions", "windows", "developments"),
    [(1, "1h,1d", False), (2, "1h,1d", False), (2, "1h,6h,1d", False), (2, "1h,1h+30m,1d", False), (2, "1h,1d", True)],
)
def test_worker_and_replay_raise_the_same_alerts(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, partitions: int, windows: str, developments: bool
) -> None:
    app_id = f"same{partitions}{windows.replace(',', '').replace('+', 'o')}{'dev' if developments else ''}"
    articles = sample_articles(short=True)  # in event-time order
    if developments:
        articles = sorted([*articles, *development(articles[-1])], key=lambda a: a.published_at)
    settings = Settings(kafka_bootstrap=bootstrap, topics=topic_names(app_id), partitions=partitions)
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    worker = start_worker(app_id, partitions=str(partitions), windows=windows, developments=str(developments).lower())
    produce(settings, settings.topics.articles, [(a.id.encode(), a.to_json()) for a in articles])
    wait_counted(worker, len(articles))
    time.sleep(1.0)
    online = [Alert.model_validate_json(v) for _, v, _, _ in consume(settings, settings.topics.alerts, idle_timeout=2)]
    counts = [
        WindowCount.model_validate_json(v) for _, v, _, _ in consume(settings, settings.topics.counts, idle_timeout=2)
    ]

    out = io.BytesIO()
    errors: list[str] = []
    replayed = Settings(windows=windows, developments=developments)
    run_replay(replayed, [(a.id, a.to_json()) for a in articles], lambda w, e: errors.append(w), out)
    offline = [Alert.model_validate_json(line) for line in out.getvalue().splitlines()]

    assert not errors
    assert offline, "the sample's surge must raise at least one alert"
    assert sorted(map(alert_facts, online)) == sorted(map(alert_facts, offline))
    opened = [a.alert_id for a in online if a.status == "open"]
    assert len(opened) == len(set(opened))
    assert len({a.window_end - a.window_start for a in online}) >= 2  # steps came from more than one size
    assert counts and all(c.volume >= c.count for c in counts)
    assert any(a.window == "dev" for a in online) == developments
    assert any(a.window_end.minute == 30 for a in online) == ("+30m" in windows)  # the offset hour stepped it


def development(last: Article) -> list[Article]:
    """Three stories from three outlets on one visit, the morning before the sample's last article."""
    stories = [
        ("Howe and Shevardnadze hold talks in London",
         "British Foreign Secretary Geoffrey Howe met Soviet Foreign Minister Eduard Shevardnadze in London."),
        ("Shevardnadze ends London talks with Howe",
         "Soviet Foreign Minister Eduard Shevardnadze left London after two days of meetings with British officials."),
        ("Howe says Shevardnadze visit was useful",
         "In London, British Foreign Secretary Geoffrey Howe told parliament the Soviet visit narrowed differences."),
    ]  # fmt: skip
    start = last.published_at.replace(hour=8, minute=0)
    return [last.model_copy(update={"id": f"visit-{n}", "url": f"https://wire{n}.example/visit-{n}", "title": title,
                                    "source": f"wire{n}.example", "published_at": start + timedelta(hours=2 * n),
                                    "body": body})
            for n, (title, body) in enumerate(stories)]  # fmt: skip
