"""Shared helpers of the reliability tests: reading topics, lag, metrics, process stats, a recount."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from schemas import Alert, Article, WindowCount
from streams.core.replay import replay
from streams.settings import Settings, tracker_config
from streams.worker.clients import consume
from streams.worker.kafka import kafka_python_options
from tests.integration.workers import WorkerProcess, topic_names

CountKey = tuple[str, datetime]


def settings_for(bootstrap: str, app_id: str, **overrides: object) -> Settings:
    """The settings a test's worker runs with (2 partitions, topics private to `app_id`)."""
    return Settings(kafka_bootstrap=bootstrap, app_id=app_id, topics=topic_names(app_id), partitions=2, **overrides)  # type: ignore[arg-type]


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.25) -> float:
    """Poll `check` until true; returns the seconds it took, TimeoutError naming `what` otherwise."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not within {timeout:.0f}s")
        time.sleep(interval)
    return time.monotonic() - started


def records(settings: Settings, topic: str, idle: float = 2.0) -> list[tuple[bytes | None, bytes | None, int, int]]:
    """Every (key, value, partition, offset) of `topic`, read until `idle` seconds bring nothing new.

    Not by end offsets: tansu 0.6.0 answers ListOffsets(latest) with less than the real end of a
    partition whose last batch holds several records, so reading "to the end offsets" stops early.
    """
    return list(consume(settings, topic, idle_timeout=idle))


def values(settings: Settings, topic: str) -> list[bytes]:
    return [v for _, v, _, _ in records(settings, topic) if v is not None]


def offsets_of(settings: Settings, ids: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """Where articles with these ids (message keys) sit on the articles topic: [(partition, offset)]."""
    wanted = {i.encode() for i in ids}
    found: dict[str, list[tuple[int, int]]] = {}
    for key, _, partition, offset in records(settings, settings.topics.articles):
        if key in wanted:
            found.setdefault(key.decode(), []).append((partition, offset))
    return found


def group_lag(settings: Settings, topics: Iterable[str]) -> int:
    """Messages of `topics` not yet committed by the worker's consumer group (the faust app id).

    The ends are read off the messages themselves (see `records`); the consumer only fetches the
    group's committed offsets and never joins the group.
    """
    consumer = KafkaConsumer(**kafka_python_options(settings), enable_auto_commit=False, group_id=settings.app_id)
    try:
        lag = 0
        for topic in topics:
            ends: dict[int, int] = {}
            for _, _, partition, offset in records(settings, topic, idle=1.0):
                ends[partition] = max(ends.get(partition, 0), offset + 1)
            for partition, end in ends.items():
                lag += max(0, end - (consumer.committed(TopicPartition(topic, partition)) or 0))
        return lag
    finally:
        consumer.close()


def drained(settings: Settings, settle: float = 1.5) -> Callable[[], bool]:
    """True once the worker group has committed everything on articles and digests, twice `settle` apart.

    Twice, because on a loaded machine one idle read can end before the last messages arrive.
    """
    names = settings.topics

    def check() -> bool:
        if group_lag(settings, [names.articles, names.digests]) != 0:
            return False
        time.sleep(settle)
        return group_lag(settings, [names.articles, names.digests]) == 0

    return check


def metric_samples(worker: WorkerProcess, name: str) -> dict[str, float]:
    """{label text: value} of metric `name` from the worker's /metrics ('' for an unlabelled one)."""
    status, body = worker.get("/metrics")
    assert status == 200
    found: dict[str, float] = {}
    for line in body.decode().splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            head, _, value = line.rpartition(" ")
            found[head[len(name) :]] = float(value)
    return found


def proc_stats(pid: int) -> dict[str, int]:
    """RSS (kB) and open sockets of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    sockets = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            sockets += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return {"rss_kb": rss, "sockets": sockets}


def produce_paced(settings: Settings, articles: Iterable[Article], rate: float,
                  between: Callable[[int], None] | None = None) -> int:  # fmt: skip
    """Produce articles keyed by id at `rate` per second; `between(n)` runs after the n-th.

    An article the broker refuses is sent again (tansu may refuse the first write to a partition it
    has just recreated), up to three more times; still refused, the test fails saying so. Before,
    flush() returned without a word and the article was lost from the test's input.
    """
    from streams.worker.clients import producer

    sender = producer(settings)
    started, sent = time.monotonic(), 0
    refused: list[Article] = []

    def send(article: Article) -> None:
        future = sender.send(settings.topics.articles, key=article.id.encode(), value=article.to_json())
        future.add_errback(lambda _: refused.append(article))

    try:
        for article in articles:
            delay = started + sent / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            send(article)
            sent += 1
            if between is not None:
                between(sent)
        sender.flush()
        for _ in range(3):
            again, refused[:] = list(refused), []
            for article in again:
                send(article)
            sender.flush()
        assert not refused, f"the broker refused {len(refused)} articles four times: {[a.id for a in refused][:5]}"
    finally:
        sender.close()
    return sent


def final_counts(counts: Iterable[WindowCount]) -> dict[CountKey, WindowCount]:
    """The last WindowCount per (series, window): what a consumer of `counts` ends up believing."""
    return {(c.key, c.window_start): c for c in counts}


def streamed_counts(settings: Settings) -> dict[CountKey, WindowCount]:
    return final_counts(WindowCount.model_validate_json(v) for v in values(settings, settings.topics.counts))


def recount(settings: Settings, articles: Iterable[Article]) -> dict[CountKey, WindowCount]:
    """The offline recount: tag as the worker does, replay through one tracker, last count per window."""
    from streams.core.tagging import Tagger

    tagger = Tagger.default()
    seen = replay([tagger.tag(a) for a in articles], tracker_config(settings))
    return final_counts(c for observation in seen for c in observation.counts)


def opened_twice(alerts: Iterable[Alert]) -> list[str]:
    """Alert ids with more than one `open` message."""
    opens = Counter(a.alert_id for a in alerts if a.status == "open")
    return sorted(alert_id for alert_id, n in opens.items() if n > 1)


def streamed_alerts(settings: Settings) -> list[Alert]:
    return [Alert.model_validate_json(v) for v in values(settings, settings.topics.alerts)]


def count_diff(online: dict[CountKey, WindowCount], offline: dict[CountKey, WindowCount]) -> list[str]:
    """Human-readable differences between two final-count maps (empty when equal)."""
    lines = []
    for key in sorted(online.keys() | offline.keys()):
        a, b = online.get(key), offline.get(key)
        if a != b:
            lines.append(f"{key[0]} {key[1]:%m-%d %H:%M}: online {_facts(a)} offline {_facts(b)}")
    return lines


def recovery_highwaters(log: str, topic: str) -> dict[int, int]:
    """{partition: highwater} of `topic` in the last "Highwater - Active" table of a faust worker log.

    faust recovers a changelog partition up to its highwater (the end offset minus one).
    """
    found: dict[int, int] = {}
    for table in log.split("Highwater - Active")[1:]:
        rows: dict[int, int] = {}
        name = ""
        for line in table.splitlines()[3:]:
            if not line.startswith("|"):
                break
            cells = [cell.strip() for cell in line.strip("| ").split("|")]
            name = name if cells[0] == "\u3003" else cells[0]  # faust writes 〃 for "same topic"
            if name == topic:
                rows[int(cells[1])] = int(cells[2])
        found = rows or found
    return found


def _facts(c: WindowCount | None) -> str:
    return "-" if c is None else f"n={c.count} st={c.stories} src={c.sources} vol={c.volume} final={c.final}"


def replayed(messages: list[tuple[str, bytes]], settings: Settings | None = None) -> tuple[
    dict[CountKey, WindowCount], list[Alert]
]:  # fmt: skip
    """What `geopulse replay --counts` makes of (where, article JSON) messages: final counts, alert steps."""
    import io

    import orjson

    from streams.offline import run_replay

    out, errors = io.BytesIO(), []
    run_replay(settings or Settings(), messages, lambda where, exc: errors.append(f"{where}: {exc}"), out,
               with_counts=True)  # fmt: skip
    assert not errors, errors
    lines = [orjson.loads(line) for line in out.getvalue().splitlines()]  # alerts and {"kind": "count", ...}
    counts = final_counts(WindowCount.model_validate({k: v for k, v in x.items() if k != "kind"})
                          for x in lines if x.get("kind") == "count")  # fmt: skip
    return counts, [Alert.model_validate(x) for x in lines if x.get("kind") != "count"]
