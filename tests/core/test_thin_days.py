"""Thin days (weekends, holidays): with `thin_day_share` (opt-in) an open long window is judged against at least
that share of what it usually holds by now (incidents.py `_usual_floor`), so a thin day's few stories are no
takeover, and a surge still is."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from schemas import Alert, TaggedArticle
from streams.core.config import UNLIMITED
from streams.core.incidents import IncidentTracker
from streams.core.series import TrackerConfig
from tests.core.test_series import COUNTRIES, SOURCES, T0, WEIGHTS, make

HOUR = 3_600
SUNDAY = T0 + timedelta(days=15)  # T0 is a Saturday: two weeks of weekdays and weekends, then a thin Sunday


def wire(seed: int = 3) -> list[TaggedArticle]:
    """Weekdays of 40 stories an hour by day and 2 at night; weekends of 3 by day (a skeleton service)."""
    rng = random.Random(seed)
    found = []
    for hour in range(24 * 16):
        when = T0 + timedelta(hours=hour)
        weekend = when.weekday() >= 5
        for k in range(2 if not 8 <= when.hour < 20 else 3 if weekend else 40):
            country = rng.choices([*COUNTRIES, "ISL"], [*WEIGHTS, 0.4])[0]  # ISL: about 0.5 % of the news
            found.append(make(f"b{hour}-{k}", when + timedelta(seconds=rng.randrange(HOUR)), country, [],
                              rng.choice(SOURCES)))  # fmt: skip
    return found


def isl(times: list[datetime]) -> list[TaggedArticle]:
    return [make(f"isl-{at:%d%H%M}", at, "ISL", [], SOURCES[k % len(SOURCES)]) for k, at in enumerate(times)]


def alerts(articles: list[TaggedArticle], **config: object) -> list[Alert]:
    tracker = IncidentTracker(TrackerConfig(max_ahead=UNLIMITED, **config))  # type: ignore[arg-type]
    found = [a for x in sorted(articles, key=lambda a: a.published_at) for a in tracker.observe(x).alerts]
    return [a for a in found if a.country == "ISL" and a.status == "open"]


def test_a_thin_days_blip_does_not_alert() -> None:
    # Four stories of a 0.5 % country, one an hour, on a Sunday whose daytime has 3 stories an hour (a
    # weekday's: 40). Judged by the Sunday's own 40-odd stories they are ten times its share (score ~4.3);
    # judged as if half a usual day's news by 15:00 were in, they are not. Without the floor (the default) they alert.
    blip = isl([SUNDAY + timedelta(hours=h, minutes=20) for h in (9, 11, 13, 14)])
    assert alerts([*wire(), *blip], thin_day_share=0.5) == []
    bare = alerts([*wire(), *blip])
    assert [(a.window, a.observed) for a in bare] == [("1d", 4)]


def test_a_weekend_surge_still_alerts() -> None:
    # Eight stories of the same country in two hours, from eight outlets, on the same thin Sunday.
    surge = isl([SUNDAY + timedelta(hours=10, minutes=15 * k) for k in range(8)])
    found = alerts([*wire(), *surge], thin_day_share=0.5)
    assert found and found[0].window == "1h"
    assert found[0].window_start == SUNDAY + timedelta(hours=10)


def test_the_share_is_a_setting_and_off_by_default() -> None:
    from streams.offline import tracker_config
    from streams.settings import Settings

    assert tracker_config(Settings.load()).thin_day_share == 0.0
    assert tracker_config(Settings.load(thin_day_share="0.5")).thin_day_share == 0.5
