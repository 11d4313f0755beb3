"""Hours offset from the clock (`GEOPULSE_WINDOWS=1h,1h+30m,1d`): a burst split across two clock hours
is whole in the hour from half past, which alerts, names its window, and folds into the clock's incident."""

from __future__ import annotations

from datetime import timedelta

from schemas import Alert, TaggedArticle
from streams.core.config import TrackerConfig
from streams.core.incidents import IncidentTracker
from streams.core.replay import replay
from streams.core.scales import Prefixed
from tests.core.test_series import SOURCES, T0, alerts_of, background, make

HOUR, HALF = timedelta(hours=1), timedelta(minutes=30)
BURST_AT = T0 + timedelta(days=4, hours=17, minutes=38)  # 17:38 to 18:26: two stories in each clock hour


def split_burst(minutes: tuple[int, ...] = (0, 14, 30, 48)) -> list[TaggedArticle]:
    """Four stories of PER from four outlets over 48 minutes, two before 18:00 and two after."""
    return [make(f"per-{m}", BURST_AT + timedelta(minutes=m), "PER", ("unrest",), SOURCES[k])
            for k, m in enumerate(minutes)]  # fmt: skip


def stream(burst: list[TaggedArticle]) -> list[TaggedArticle]:
    quiet = background(3, hours=24 * 5, per_hour=12)
    return sorted([a for a in quiet if a.countries[0].code != "PER"] + burst, key=lambda a: a.published_at)


def per(alerts: list[Alert]) -> list[Alert]:
    return [a for a in alerts if a.country == "PER"]


def test_a_burst_split_across_clock_hours_alerts_in_the_hour_from_half_past() -> None:
    articles = stream(split_burst())
    clock_only = TrackerConfig(windows=(HOUR,))
    assert per(alerts_of(replay(articles, clock_only))) == []  # two stories an hour: under the hour's gate of three
    offset = TrackerConfig(windows=(HOUR,), offset_windows=((HOUR, HALF),))
    opened = [a for a in per(alerts_of(replay(articles, offset))) if a.status == "open"]
    assert len(opened) == 1
    alert = opened[0]
    assert alert.window == "1h+30m" and alert.observed == 3  # at its third story, 18:08
    assert (alert.window_start, alert.window_end) == (BURST_AT.replace(minute=30), BURST_AT.replace(minute=30) + HOUR)
    assert "the hour to 18:30 UTC" in alert.summary


def test_a_burst_seen_by_the_clock_hour_and_the_offset_hour_is_one_incident() -> None:
    whole = split_burst((22, 26, 30, 34, 38))  # 18:00 to 18:16: whole in the clock hour and in the hour from 17:30
    articles = stream(whole)
    alerts = per(alerts_of(replay(articles, TrackerConfig(offset_windows=((HOUR, HALF),)), finish=True)))
    assert [a.status for a in alerts].count("open") == 1 and len({a.alert_id for a in alerts}) == 1
    assert alerts[0].window == "1h"  # the clock hour opened it (its steps come first); the offset hour joined
    assert {a.window_end - a.window_start for a in alerts} >= {HOUR}
    tracker = IncidentTracker(TrackerConfig(offset_windows=((HOUR, HALF),)))
    assert [label for label, _ in tracker.trackers] == ["1h", "1h+30m", "1d"]
    assert all(
        isinstance(inner.store, Prefixed) and inner.store.inner is tracker.store for _, inner in tracker.trackers
    )
