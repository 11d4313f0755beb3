"""The open window's volume floor (series.py `volume_floor`): a share of what its hour of day usually has."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from schemas import Alert, TaggedArticle
from streams.core.config import UNLIMITED
from streams.core.incidents import IncidentTracker
from streams.core.series import TrackerConfig
from tests.core.test_series import COUNTRIES, SOURCES, T0, WEIGHTS, make

HOUR = 3_600
DAY_HOURS = range(8, 20)  # 80 stories an hour; 2 an hour at night


def wire(days: int = 5, seed: int = 5) -> list[TaggedArticle]:
    """A wire with a strong daily cycle: its night hours have a fortieth of a day-time hour's news."""
    rng = random.Random(seed)
    found = []
    for hour in range(24 * days):
        for k in range(80 if hour % 24 in DAY_HOURS else 2):
            when = T0 + timedelta(hours=hour, seconds=rng.randrange(HOUR))
            country = rng.choices([*COUNTRIES, "ISL"], [*WEIGHTS, 0.4])[0]
            found.append(make(f"b{hour}-{k}", when, country, [], rng.choice(SOURCES)))
    return found


def three_isl(at: datetime) -> list[TaggedArticle]:
    """Three stories of a country with about 0.5 % of the news, from three outlets, in ten minutes."""
    return [make(f"isl-{at:%d%H}-{k}", at + timedelta(seconds=1 + 300 * k), "ISL", [], SOURCES[k]) for k in range(3)]


def alerts(articles: list[TaggedArticle], **config: object) -> tuple[IncidentTracker, list[Alert]]:
    tracker = IncidentTracker(TrackerConfig(max_ahead=UNLIMITED, **config))  # type: ignore[arg-type]
    found = [a for x in sorted(articles, key=lambda a: a.published_at) for a in tracker.observe(x).alerts]
    return tracker, [a for a in found if a.country == "ISL"]


def test_the_floor_equals_a_brute_force_reference() -> None:
    articles = wire()
    tracker, _ = alerts(articles)
    hourly = tracker.trackers[0][1]
    now = hourly.stream_time
    assert now is not None
    closed = now // HOUR * HOUR - HOUR  # the hour still open under the grace is not folded yet
    stories = [0] * (24 * 5)
    for article in articles:
        stories[int((article.published_at - T0).total_seconds()) // HOUR] += 1
    first = int(T0.timestamp())
    folded = [(first + n * HOUR, v) for n, v in enumerate(stories) if first + n * HOUR < closed and v]
    typical = sum(v for _, v in folded[-24:]) / 24  # the mean window of the last day with news
    decay = 0.5 ** (1.0 / (28 * 24))  # the profiles' half-life, in windows with news
    weights = [decay ** (len(folded) - 1 - i) * v for i, (_, v) in enumerate(folded)]
    for probe in (closed + 3 * HOUR, closed + 14 * HOUR, closed + 22 * HOUR):
        in_hour = sum(w for w, (t, _) in zip(weights, folded, strict=True) if t // HOUR % 24 == probe // HOUR % 24)
        assert hourly.volume_floor(probe) == int(0.5 * typical * in_hour / sum(weights) * 24)
    night, day = hourly.volume_floor(closed + 22 * HOUR), hourly.volume_floor(closed + 14 * HOUR)
    assert night <= 2 < 30 <= day  # half of what each hour usually has, not half the day's mean hour


def test_a_night_burst_is_judged_against_the_news_a_night_hour_holds() -> None:
    # Three stories at 22:00 among a night hour's two: floored at half the day's mean hour (20 stories),
    # as before, they were judged as if the hour held four times its news, and did not alert.
    night = T0 + timedelta(days=4, hours=22)
    _, found = alerts([*wire(), *three_isl(night)])
    assert [(a.status, a.window_start, a.observed) for a in found] == [("open", night, 3)]
    assert found[0].expected < 0.1  # about 0.5 % of the hour's five stories, times ISL's night factor


def test_the_first_articles_of_a_busy_hour_are_still_judged_against_half_its_usual_news() -> None:
    # The same three stories as the first articles of a 14:00 hour: judged against half of that hour's
    # usual 80 stories, they are no takeover. Without any floor they would be.
    busy = T0 + timedelta(days=4, hours=14)
    articles = [a for a in wire() if not busy <= a.published_at < busy + timedelta(minutes=11)]
    _, floored = alerts([*articles, *three_isl(busy)])
    _, bare = alerts([*articles, *three_isl(busy)], min_volume_share=0.0)
    assert floored == []
    assert [(a.status, a.window_start) for a in bare if a.status == "open"] == [("open", busy)]
