"""An open day judged as the span of news it holds: its thresholds raised by log10(1 / share of its news in)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas import Alert, TaggedArticle
from streams.core.config import UNLIMITED, TrackerConfig
from streams.core.detect import GammaPoisson
from streams.core.incidents import IncidentTracker
from streams.core.scales import OpenWindow
from streams.core.seasons import DAY, HOUR, Seasons
from tests.core.test_series import SOURCES, T0, background, make


def test_news_share_is_the_learned_share_of_a_day_s_news_by_then() -> None:
    seasons = Seasons({}, size=HOUR, half_life=1e9)  # no forgetting: the reference is a plain sum
    by_hour = [5 + 3 * h for h in range(24)]
    for day in range(3):
        for hour, stories in enumerate(by_hour):
            seasons.learn_news(day * DAY + hour * HOUR, stories, {})
    start = 3 * DAY
    for now in (start, start + 90 * 60, start + 7 * HOUR + 1_800, start + 23 * HOUR):
        hours, part = divmod(now - start, HOUR)
        expected = (sum(by_hour[:hours]) + by_hour[hours] * part / HOUR) / sum(by_hour)
        assert seasons.news_share(start, DAY, now) == pytest.approx(expected)
    assert seasons.news_share(start, DAY, start + DAY) == 1.0  # closed: all of it
    assert Seasons({}, size=HOUR, half_life=10.0).news_share(0, DAY, 6 * HOUR) == pytest.approx(0.25)  # nothing learned


def test_thresholds_rise_by_log10_of_the_span_still_to_come() -> None:
    inner = GammaPoisson.for_window(timedelta(days=1))
    state = inner.fresh()
    for _ in range(20):
        state = inner.update(state, observed=1, volume=400, robust=False)
    plain = inner.judge(state, observed=6, volume=100)
    assert plain.severity == "medium" and inner.thresholds[1] <= plain.score < inner.thresholds[1] + 1

    def judged(share: float) -> str | None:
        return OpenWindow(inner, lambda start: share, least=1 / 24).judge(state, observed=6, volume=100).severity

    raise_to_low = plain.score - inner.thresholds[1] + 1e-6  # the least raise that reads it one severity lower
    assert judged(1.0) == "medium" and judged(10 ** -(raise_to_low / 2)) == "medium"
    assert judged(10**-raise_to_low) == "low"
    assert judged(1e-9) == OpenWindow(inner, lambda start: 1 / 24, least=1 / 24).judge(state, 6, 100).severity
    verdict = OpenWindow(inner, lambda start: 0.1, least=1 / 24).judge(state, observed=6, volume=100)
    assert (verdict.score, verdict.expected, verdict.settled) == (plain.score, plain.expected, plain.settled)


def spread(first_hour: int, n: int) -> list[TaggedArticle]:
    """One PER diplomacy story an hour from `first_hour` on day six, each from another outlet."""
    day = T0 + timedelta(days=5)
    return [make(f"spread-{first_hour}-{k}", day + timedelta(hours=first_hour + k, minutes=10), "PER",
                 ("diplomacy",), SOURCES[k % 5]) for k in range(n)]  # fmt: skip


def day_alerts(articles: list[TaggedArticle], plain: bool) -> list[Alert]:
    tracker = IncidentTracker(TrackerConfig(max_ahead=UNLIMITED))
    day = tracker.trackers[1][1]
    assert isinstance(day.detector, OpenWindow)
    if plain:
        day.detector = day.detector.inner
    found = [a for x in articles for a in tracker.observe(x).alerts]
    return [a for a in found if a.country == "PER" and a.window_end - a.window_start == timedelta(days=1)]


def test_a_night_s_few_stories_read_against_the_news_the_day_holds_by_then() -> None:
    # Four stories of a rare series before 04:00 UTC, when this stream has had a tenth of a day's news.
    articles = sorted(background(3, hours=24 * 6, per_hour=12) + spread(0, 4), key=lambda a: a.published_at)
    plain, open_window = day_alerts(articles, plain=True), day_alerts(articles, plain=False)
    assert plain and open_window
    first, opened = plain[0], open_window[0]
    assert (opened.score, opened.observed, opened.window_start) == (first.score, first.observed, first.window_start)
    assert (first.severity, opened.severity) == ("medium", "low")  # same evidence, a night's span: one lower
