"""A significant surge of a grave topic (armed attacks) opens at medium: `TrackerConfig.grave_topics`."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from schemas import Alert, TaggedArticle
from streams.core.config import UNLIMITED, TrackerConfig
from streams.core.detect import GammaPoisson
from streams.core.incidents import IncidentTracker
from tests.core.test_series import SOURCES, T0, background, make

DAYS = 14
STRIKE = T0 + timedelta(days=DAYS, hours=9)


def history(topic: str) -> list[TaggedArticle]:
    """Two weeks of a busy stream in which IRN has a `topic` story every other day, then three in one hour."""
    daily = [make(f"daily-{day}", T0 + timedelta(days=day, hours=7 * day % 24), "IRN", (topic,), SOURCES[day % 12])
             for day in range(0, DAYS, 2)]  # fmt: skip
    strike = [make(f"strike-{k}", STRIKE + timedelta(minutes=5 + 20 * k), "IRN", (topic,), SOURCES[k])
              for k in range(3)]  # fmt: skip
    return sorted(background(5, hours=24 * DAYS + 12, per_hour=6) + daily + strike, key=lambda a: a.published_at)


def opening(articles: list[TaggedArticle], config: TrackerConfig) -> Alert:
    tracker = IncidentTracker(config)
    found = [a for x in articles for a in tracker.observe(x).alerts if a.country == "IRN" and a.status == "open"]
    assert found, "the strike hour opens an alert"
    return found[0]


def test_three_strike_stories_in_an_hour_after_weeks_of_a_few_a_week_open_at_medium() -> None:
    config = TrackerConfig(max_ahead=UNLIMITED)
    opened = opening(history("ASSAULT"), config)
    plain = opening(history("ASSAULT"), replace(config, grave_topics=()))
    hour = GammaPoisson.for_window(timedelta(hours=1))
    assert (opened.observed, opened.window_start) == (3, STRIKE)
    assert opened.expected < 0.1 and hour.thresholds[0] <= opened.score < hour.thresholds[1]  # low by its score
    assert (plain.severity, opened.severity) == ("low", "medium")
    assert (plain.score, plain.observed, plain.expected) == (opened.score, opened.observed, opened.expected)
    assert opened.topic == "ASSAULT"


def test_a_surge_of_talks_of_the_same_shape_stays_low() -> None:
    opened = opening(history("CONSULT"), TrackerConfig(max_ahead=UNLIMITED))
    assert (opened.observed, opened.severity) == (3, "low")


def busy_history(sparse: tuple[str, ...], strike_topics: tuple[str, ...]) -> list[TaggedArticle]:
    """Two weeks in which IRN's armed-attack series is busy (four stories a day, coded ASSAULT alone) and
    its `sparse` topics have a story every other day, then three stories in one hour."""
    busy = [make(f"busy-{day}-{k}", T0 + timedelta(days=day, hours=2 + 5 * k), "IRN", ("ASSAULT",),
                 SOURCES[(day + k) % 12]) for day in range(DAYS) for k in range(4)]  # fmt: skip
    sparse_days = [make(f"sparse-{day}", T0 + timedelta(days=day, hours=7 * day % 24), "IRN", sparse,
                        SOURCES[day % 12]) for day in range(0, DAYS, 2)]  # fmt: skip
    strike = [make(f"strike-{k}", STRIKE + timedelta(minutes=5 + 20 * k), "IRN", strike_topics, SOURCES[k])
              for k in range(3)]  # fmt: skip
    articles = background(5, hours=24 * DAYS + 12, per_hour=6) + busy + sparse_days + strike
    return sorted(articles, key=lambda a: a.published_at)


def test_a_group_series_whose_stories_report_attacks_opens_at_medium_too() -> None:
    """Which series passes `low` first depends on its history: here the `conflict` group (ASSAULT's own
    series is busy and does not), whose stories are all in ASSAULT's window too: the floor follows them."""
    config = TrackerConfig(max_ahead=UNLIMITED)
    opened = opening(busy_history(("conflict",), ("conflict", "ASSAULT")), config)
    plain = opening(busy_history(("conflict",), ("conflict", "ASSAULT")), replace(config, grave_topics=()))
    assert (opened.topic, opened.observed, opened.window_start) == ("conflict", 3, STRIKE)
    assert (plain.severity, opened.severity) == ("low", "medium")
    assert (plain.score, plain.expected) == (opened.score, opened.expected)


def test_a_group_series_whose_stories_report_threats_stays_low() -> None:
    history = busy_history(("conflict", "THREATEN"), ("conflict", "THREATEN"))
    opened = opening(history, TrackerConfig(max_ahead=UNLIMITED))
    assert (opened.observed, opened.window_start, opened.severity) == (3, STRIKE, "low")
    assert {opened.topic, *opened.topics} <= {"conflict", "THREATEN"}
