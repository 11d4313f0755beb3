"""The updates of `Metrics` as the exposition shows them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from schemas import Event, TaggedArticle, WindowCount
from streams.core.tagging.evaluate import predicted_events
from streams.metrics import Metrics


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def window(country: str, stories: int) -> WindowCount:
    start = datetime(2022, 1, 5, 10, tzinfo=UTC)
    return WindowCount(country=country, topic="unrest", window_start=start, window_end=start.replace(hour=11),
                       count=stories, stories=stories, sources=1, volume=10)  # fmt: skip


def test_a_2xx_delivery_is_a_success_and_a_skipped_one_takes_no_time() -> None:
    metrics = Metrics()
    metrics.delivered("ops", "2xx", 0.2)
    metrics.delivered("ops", "skipped", 0.0)
    got = samples(metrics)
    assert got[("geopulse_webhook_deliveries_total", (("endpoint", "ops"), ("outcome", "success")))] == 1
    assert got[("geopulse_webhook_deliveries_total", (("endpoint", "ops"), ("outcome", "skipped")))] == 1
    assert got[("geopulse_webhook_delivery_duration_seconds_count", (("endpoint", "ops"),))] == 1


def test_series_gauges_follow_the_active_series() -> None:
    metrics = Metrics()
    metrics.windows([window("KAZ", 3), window("KGZ", 1)])
    metrics.stream_advanced(1_641_380_400, dropped=[window("KGZ", 1), window("UZB", 2)])  # UZB never had one
    got = samples(metrics)
    gauges = {dict(labels)["country"]: v for (name, labels), v in got.items() if name == "geopulse_window_stories"}
    assert gauges == {"KAZ": 3}
    assert got[("geopulse_stream_time_seconds", ())] == 1_641_380_400


def test_consumer_lag_shows_only_the_partitions_assigned_now() -> None:
    metrics = Metrics()
    metrics.lag([("articles", 0, 5), ("articles", 1, 0)])
    metrics.lag([("articles", 1, 2)])
    lags = {labels: v for (name, labels), v in samples(metrics).items() if name == "geopulse_consumer_lag_messages"}
    assert lags == {(("partition", "1"), ("topic", "articles")): 2}


def test_articles_by_outcome_add_up_across_stages() -> None:
    metrics = Metrics()
    article = TaggedArticle(id="a", source="s", title="t", tagger_version="v",
                            published_at=datetime(2022, 1, 5, tzinfo=UTC))  # fmt: skip
    metrics.tagged(article, 0.001, now=article.published_at.timestamp() + 30)
    metrics.invalid_article("invalid_json", "articles.dlq")
    metrics.counted(Counter({"counted": 3, "late": 1}))
    got = samples(metrics)
    outcomes = {dict(labels)["outcome"]: v for (name, labels), v in got.items() if name == "geopulse_articles_total"}
    assert outcomes == {"valid": 1, "invalid": 1, "counted": 3, "late": 1}
    assert got[("geopulse_dead_letters_total", (("reason", "invalid_json"), ("topic", "articles.dlq")))] == 1
    assert got[("geopulse_published_to_event_latency_seconds_sum", ())] == 30


def test_the_events_tagged_are_the_ones_evaluation_predicts() -> None:
    """Only a reported, not negated event is counted: in the metric as in the tagger's evaluation."""
    events = [
        Event(type=kind, cameo="14", trigger="t", sentence="s.", reported=reported, negated=negated, confidence=0.9)
        for kind, reported, negated in [
            ("PROTEST", True, False),
            ("ASSAULT", True, True),
            ("COERCE", False, False),
            ("THREATEN", False, True),
        ]
    ]
    article = TaggedArticle(id="a", source="s", title="t", tagger_version="v", events=events,
                            published_at=datetime(2022, 1, 5, tzinfo=UTC))  # fmt: skip
    metrics = Metrics()
    metrics.tagged(article, 0.001, now=article.published_at.timestamp())
    tagged = {
        dict(labels)["type"]: v for (name, labels), v in samples(metrics).items() if name == "geopulse_events_total"
    }
    assert tagged == {"PROTEST": 1} and set(tagged) == predicted_events(article)
