"""IncidentTracker: several window sizes at once, one alert per incident, outages, one-outlet feeds."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from schemas import Alert, TaggedArticle
from streams.core.config import UNLIMITED, TrackerConfig
from streams.core.incidents import IncidentTracker
from streams.core.replay import replay
from streams.core.series import SeriesTracker
from tests.core.test_series import T0, alerts_of, background, burst, make

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def stream(gap: timedelta = timedelta(0), source: str | None = None) -> list[TaggedArticle]:
    """Four days of background, then (after `gap`) a KAZ unrest surge of 14 stories in an hour and a day more."""
    quiet = background(1, hours=96, per_hour=12)
    later = background(2, hours=30, per_hour=12, start=T0 + timedelta(hours=96) + gap)
    surge = burst("KAZ", T0 + timedelta(hours=99) + gap, 14, topics=("unrest", "PROTEST"))
    found = sorted(quiet + later + surge, key=lambda a: a.published_at)
    if source is not None:
        found = [a.model_copy(update={"source": source}) for a in found]
    return found


def kaz(alerts: list[Alert]) -> list[Alert]:
    return [a for a in alerts if a.country == "KAZ"]


def test_one_surge_at_two_scales_and_three_topics_is_one_alert() -> None:
    articles = stream()
    alerts = kaz(alerts_of(replay(articles, TrackerConfig(), finish=True)))
    assert alerts[0].status == "open" and alerts[-1].status == "resolved"
    assert len({a.alert_id for a in alerts}) == 1
    assert [a.revision for a in alerts] == list(range(len(alerts)))  # one delivery per step
    assert {a.window for a in alerts} == {"1h"}  # named by the window that opened it
    scales = {a.window_end - a.window_start for a in alerts}
    assert scales == {HOUR, DAY}  # the day confirmed it: an update, not a second alert
    assert alerts[0].topic in {"PROTEST", "unrest"} and set(alerts[-1].topics) >= {"PROTEST", "unrest", "all"}
    assert alerts[0].topics[0] == alerts[0].topic
    # What was merged: at each scale, each topic's series opened an alert of its own.
    opened: Counter[timedelta] = Counter()
    for size in (HOUR, DAY):
        tracker = SeriesTracker(TrackerConfig(window=size, max_ahead=UNLIMITED))
        tracker.subsume = False
        opened[size] = sum(a.status == "open" for a in kaz(alerts_of(tracker.observe(x) for x in articles)))
    assert opened[HOUR] >= 3 and opened[DAY] >= 2


def test_two_unrelated_surges_of_a_country_far_apart_are_two_alerts() -> None:
    quiet = background(1, hours=200, per_hour=12)
    surges = burst("KAZ", T0 + timedelta(hours=60), 14) + burst("KAZ", T0 + timedelta(hours=170), 14)
    articles = sorted(quiet + surges, key=lambda a: a.published_at)
    alerts = kaz(alerts_of(replay(articles, TrackerConfig(), finish=True)))
    assert Counter(a.status for a in alerts)["open"] == 2


def test_a_gap_of_any_length_keeps_history() -> None:
    weeks = timedelta(weeks=8)  # the same weekday and hour: the profiles judge both alike
    without = kaz(alerts_of(replay(stream(), TrackerConfig())))
    after_gap = kaz(alerts_of(replay(stream(gap=weeks), TrackerConfig())))
    assert without and after_gap
    first, second = without[0], after_gap[0]
    assert second.window_start - first.window_start == weeks
    assert (second.severity, second.observed) == (first.severity, first.observed)
    assert abs(second.score - first.score) <= 0.05 * first.score
    assert abs(second.expected - first.expected) <= 0.1 * first.expected


def test_an_outage_neither_resolves_nor_decays() -> None:
    articles = [a for a in stream() if a.published_at < T0 + timedelta(hours=100)]
    tracker = IncidentTracker(TrackerConfig(max_ahead=UNLIMITED))
    opened = [a for x in articles for a in tracker.observe(x).alerts]
    assert kaz(opened)
    hourly = tracker.trackers[0][1]
    tracker.advance(int((T0 + timedelta(hours=101, minutes=16)).timestamp()))  # the last hour with news closes
    baseline = hourly._series("USA|all", until=hourly._clock()["next"])["b"]
    assert tracker.advance(int((T0 + timedelta(days=60)).timestamp())).alerts == []
    resumed = make("resumed", T0 + timedelta(days=60, minutes=30), "USA", (), "s1")
    tracker.observe(resumed)
    assert hourly._series("USA|all", until=hourly._clock()["next"])["b"] == baseline  # no decay over the gap


def test_a_one_outlet_feed_alerts_when_min_sources_is_one() -> None:
    articles = stream(source="reuters.com")
    assert kaz(alerts_of(replay(articles, TrackerConfig()))) == []  # one outlet never makes a spike...
    alerts = kaz(alerts_of(replay(articles, TrackerConfig(min_sources=1))))
    assert alerts and alerts[0].status == "open" and alerts[0].sources == 1  # ...unless told it is the feed
