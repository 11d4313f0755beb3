"""Every Prometheus metric of geopulse, in one place.

Names follow Prometheus conventions: the `geopulse_` prefix, base units (seconds), `_total` for
counters. Labels are bounded: ISO3 country, topic name, reason, outcome, status, severity, event
type, endpoint name from the config file — never ids or URLs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)

import streams
from schemas import SEVERITIES

if TYPE_CHECKING:
    from schemas import Alert, TaggedArticle, WindowCount

# `_created` series double the exposition and no dashboard reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
AGE_BUCKETS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600)
FAST_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1)


class Metrics:
    """The metrics of one worker, registered in `registry` (a fresh one in tests)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.articles = Counter(
            "geopulse_articles",
            "Articles by outcome: valid, invalid, counted, duplicate, corrected (a closed window), late (refused).",
            ["outcome"], registry=r)  # fmt: skip
        self.tagging_seconds = Histogram(
            "geopulse_tagging_duration_seconds", "Time to tag one article.", buckets=FAST_BUCKETS, registry=r
        )
        self.latency_from_ingest = Histogram(
            "geopulse_ingest_to_event_latency_seconds",
            "From the article's Kafka timestamp to its TaggedArticle being sent on `events`.",
            buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.latency_from_published = Histogram(
            "geopulse_published_to_event_latency_seconds",
            "From the article's published_at to its TaggedArticle being sent on `events`.",
            buckets=AGE_BUCKETS, registry=r)  # fmt: skip
        self.events = Counter(
            "geopulse_events", "Reported (not negated, not background) events tagged, by type.", ["type"], registry=r
        )
        self.window_count = Gauge(
            "geopulse_window_stories", "Stories in the current window of active series.",
            ["country", "topic"], registry=r)  # fmt: skip
        self.window_volume = Gauge("geopulse_window_volume", "Articles in the newest window, all series.", registry=r)
        self.alerts = Counter("geopulse_alerts", "Alert lifecycle steps.", ["status", "severity"], registry=r)
        self.open_alerts = Gauge("geopulse_open_alerts", "Alerts currently open.", registry=r)
        self.offsets_skipped = Counter(
            "geopulse_offsets_skipped", "Input records the consumer never delivered (offset jumps).",
            ["topic"], registry=r)  # fmt: skip
        self.dead_letters = Counter(
            "geopulse_dead_letters", "Messages sent to a dead-letter topic.", ["topic", "reason"], registry=r
        )
        self.deliveries = Counter(
            "geopulse_webhook_deliveries", "Webhook delivery attempts by outcome.",
            ["endpoint", "outcome"], registry=r)  # fmt: skip
        self.delivery_seconds = Histogram(
            "geopulse_webhook_delivery_duration_seconds", "Duration of one webhook attempt.",
            ["endpoint"], buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.consumer_lag = Gauge(
            "geopulse_consumer_lag_messages", "Messages behind the end of each assigned partition.",
            ["topic", "partition"], registry=r)  # fmt: skip
        self.stream_time = Gauge(
            "geopulse_stream_time_seconds", "Newest event time (published_at) seen, unix seconds.", registry=r
        )
        self.store_keys = Gauge("geopulse_state_keys", "Keys held in the count/detect state.", registry=r)
        self.broker_up = Gauge("geopulse_broker_up", "1 when the Kafka broker answers, else 0.", registry=r)
        self.asyncio_tasks = Gauge("geopulse_asyncio_tasks", "Asyncio tasks alive in the worker process.", registry=r)
        self.build = Info("geopulse_build", "Build information.", registry=r)
        self.build.info({"version": streams.__version__})

    def declare(
        self,
        *,
        dead_letters: Mapping[str, Iterable[str]],
        endpoints: Iterable[str],
        outcomes: Iterable[str] = (),
        input_topics: Iterable[str] = (),
    ) -> None:
        """Create every label set an alert rule or dashboard reads at 0, so the first increment is an increase.

        `dead_letters` maps each dead-letter topic to the reasons it can carry; `outcomes` are the
        webhook delivery outcomes of each endpoint; `input_topics` those whose skipped offsets are
        counted. A counter that first appears at 1 shows Prometheus no increase(): without these,
        the first dead letter or skipped record would raise no alert.
        """
        for outcome in ("valid", "invalid", "counted", "duplicate", "corrected", "late"):
            self.articles.labels(outcome)
        for topic, reasons in dead_letters.items():
            for reason in reasons:
                self.dead_letters.labels(topic, reason)
        for topic in input_topics:
            self.offsets_skipped.labels(topic)
        for status in ("open", "update", "resolved"):
            for severity in SEVERITIES:
                self.alerts.labels(status, severity)
        outcomes = tuple(outcomes)
        for endpoint in endpoints:
            for outcome in outcomes:
                self.deliveries.labels(endpoint, outcome)
            self.delivery_seconds.labels(endpoint)
        self.window_volume.set(0)

    # -- what the worker observes (each update of a metric has one method here) -------------------

    def built(self, tagger_version: str) -> None:
        self.build.info({"version": streams.__version__, "tagger_version": tagger_version})

    def broker(self, up: bool) -> None:
        self.broker_up.set(1 if up else 0)

    def dead_lettered(self, topic: str, reason: str) -> None:
        """A message sent to the dead-letter topic `topic`."""
        self.dead_letters.labels(topic, reason).inc()

    def invalid_article(self, reason: str, dead_letter_topic: str) -> None:
        """An `articles` message that broke its contract, dead-lettered."""
        self.articles.labels("invalid").inc()
        self.dead_lettered(dead_letter_topic, reason)

    def tagged(self, article: TaggedArticle, seconds: float, now: float) -> None:
        """A valid article tagged in `seconds`, at unix time `now`."""
        self.articles.labels("valid").inc()
        self.tagging_seconds.observe(seconds)
        self.latency_from_published.observe(max(0.0, now - article.published_at.timestamp()))
        for event in article.events:
            if event.counts:  # only reported main events count (EVENT_RULES.md)
                self.events.labels(event.type).inc()

    def sent_events(self, kafka_timestamps: Iterable[float], now: float) -> None:
        """The TaggedArticles of records with these Kafka timestamps went out at unix time `now`."""
        for timestamp in kafka_timestamps:
            self.latency_from_ingest.observe(max(0.0, now - timestamp))

    def counted(self, outcomes: Mapping[str, int]) -> None:
        """Articles by outcome of the count stage: counted, duplicate, late."""
        for outcome, n in outcomes.items():
            self.articles.labels(outcome).inc(n)

    def alerted(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            self.alerts.labels(alert.status, alert.severity).inc()

    def windows(self, current: Iterable[WindowCount]) -> None:
        """The current window of each series just counted, and the volume of the newest of those windows."""
        newest: WindowCount | None = None
        for count in current:
            self.window_count.labels(count.country, count.topic).set(count.stories)
            if newest is None or count.window_start > newest.window_start:
                newest = count
        if newest is not None:
            self.window_volume.set(newest.volume)

    def stream_advanced(self, stream_time: int, dropped: Iterable[WindowCount]) -> None:
        """Stream time (unix seconds) moved on; the series no longer active lose their gauge."""
        self.stream_time.set(stream_time)
        for count in dropped:
            with contextlib.suppress(KeyError):
                self.window_count.remove(count.country, count.topic)

    def skipped(self, topic: str, records: int) -> None:
        """Records of `topic` the consumer went past without handing them to the agent."""
        self.offsets_skipped.labels(topic).inc(records)

    def delivered(self, endpoint: str, outcome: str, seconds: float) -> None:
        """One webhook attempt; a skipped or refused one (queue full) took no time worth a sample."""
        self.deliveries.labels(endpoint, "success" if outcome == "2xx" else outcome).inc()
        if outcome not in ("skipped", "queue_full"):
            self.delivery_seconds.labels(endpoint).observe(seconds)

    def lag(self, lags: Iterable[tuple[str, int, int]]) -> None:
        """Messages behind per (topic, partition, lag) assigned now; partitions no longer assigned drop out."""
        self.consumer_lag.clear()
        for topic, partition, behind in lags:
            self.consumer_lag.labels(topic, str(partition)).set(behind)

    def scraped(self, *, state_keys: int, tasks: int, open_alerts: int) -> None:
        """The gauges read at each scrape of /metrics."""
        self.store_keys.set(state_keys)
        self.asyncio_tasks.set(tasks)
        self.open_alerts.set(open_alerts)

    def exposition(self) -> bytes:
        """The text exposition format served at /metrics."""
        return generate_latest(self.registry)
