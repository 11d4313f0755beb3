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
    # Nothing of the gap counts: the baselines (rate and clustering), the profiles and the typical
    # window's volume are as they were, so the surge is judged exactly alike.
    assert (second.score, second.expected) == (first.score, first.expected)


def test_an_outage_neither_resolves_nor_decays() -> None:
    articles = [a for a in stream() if a.published_at < T0 + timedelta(hours=100)]
    tracker = IncidentTracker(TrackerConfig(max_ahead=UNLIMITED))
    opened = [a for x in articles for a in tracker.observe(x).alerts]
    assert kaz(opened)
    hourly = tracker.trackers[0][1]
    tracker.advance(int((T0 + timedelta(hours=101, minutes=16)).timestamp()))  # the last hour with news closes
    baseline = hourly._series("USA|all", until=hourly._clock().next).baseline
    assert tracker.advance(int((T0 + timedelta(days=60)).timestamp())).alerts == []
    resumed = make("resumed", T0 + timedelta(days=60, minutes=30), "USA", (), "s1")
    tracker.observe(resumed)
    assert hourly._series("USA|all", until=hourly._clock().next).baseline == baseline  # no decay over the gap


def test_a_one_outlet_feed_alerts_when_min_sources_is_one() -> None:
    articles = stream(source="reuters.com")
    assert kaz(alerts_of(replay(articles, TrackerConfig()))) == []  # one outlet never makes a spike...
    alerts = kaz(alerts_of(replay(articles, TrackerConfig(min_sources=1))))
    assert alerts and alerts[0].status == "open" and alerts[0].sources == 1  # ...unless told it is the feed


def test_late_articles_under_several_sizes_correct_the_hour_and_are_counted_once_by_the_day() -> None:
    """One stream time for every size; each size takes a late article for its own window (incidents.py)."""
    tracker = IncidentTracker(TrackerConfig(max_ahead=UNLIMITED))  # 1h,1d; grace 15m, retain 6h (as the worker)
    hourly, daily = tracker.trackers[0][1], tracker.trackers[1][1]
    assert [tracker.observe(make(n, T0 + timedelta(hours=10, minutes=n))).outcome for n in (1, 2)] == ["counted"] * 2
    assert tracker.observe(make(3, T0 + timedelta(hours=12, minutes=30)), partition=0).outcome == "counted"
    assert daily.stream_time == hourly.stream_time == int((T0 + timedelta(hours=12, minutes=30)).timestamp())
    assert "wm" in hourly.store and "wm" not in daily.store  # the watermarks are kept once

    late = tracker.observe(make(4, T0 + timedelta(hours=10, minutes=20)))  # its hour closed at 11:15
    assert late.outcome == "corrected" and late.lag == 2 * 3_600 + 600
    revised = [(c.window_start, c.window_end - c.window_start, c.count, c.revision) for c in late.counts]
    assert revised == [(T0 + timedelta(hours=10), HOUR, 3, 1)] * 2  # unrest and all; the day publishes no count
    assert tracker.observe(make(4, T0 + timedelta(hours=10, minutes=20))).outcome == "duplicate"

    tracker.observe(make(5, T0 + timedelta(hours=18)))  # the 10:00 hour can no longer be corrected (17:15)
    refused_by_the_hour = tracker.observe(make(6, T0 + timedelta(hours=10, minutes=40)))
    assert refused_by_the_hour.outcome == "corrected" and refused_by_the_hour.counts == []  # the open day took it
    assert daily.store[f"w:KAZ|all@{int(T0.timestamp())}"]["t"]["n"] == 6
    assert tracker.observe(make(6, T0 + timedelta(hours=10, minutes=40))).outcome == "duplicate"

    tracker.observe(make(7, T0 + timedelta(days=1, minutes=20)))  # the day closed at 00:15
    corrected_day = tracker.observe(make(8, T0 + timedelta(hours=23, minutes=50)))
    assert corrected_day.outcome == "corrected"
    assert [(c.window_end - c.window_start, c.revision) for c in corrected_day.counts] == [(HOUR, 1)] * 2
    assert daily.store["hist"][-1][1:] == [7, 7]  # the closed day's volume corrected: stories, articles


def test_an_article_redelivered_a_day_later_is_a_duplicate_while_its_day_can_be_corrected() -> None:
    """The shared dedupe index remembers an article until the day, not only the hour, is past correcting."""
    tracker = IncidentTracker(TrackerConfig(max_ahead=UNLIMITED))
    daily = tracker.trackers[1][1]
    early = make(1, T0 + timedelta(minutes=30))
    assert tracker.observe(early).outcome == "counted"
    tracker.observe(make(2, T0 + timedelta(days=1, minutes=40)))  # 24h10m on: its day closed at 00:15, retained 6h
    assert daily.store["hist"][-1][1:] == [1, 1]
    assert tracker.observe(early).outcome == "duplicate"
    assert daily.store["hist"][-1][1:] == [1, 1]  # not counted into the closed day twice
