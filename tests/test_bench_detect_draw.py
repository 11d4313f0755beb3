"""bench/detect_real.py's held-out draws: surges start after the detector's warm-up week (`--draw-after`), a
shape that fits nowhere later is drawn as before and counted in week 1, and `--draw-after 0` gives the
sets of the sessions before it."""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from bench.detect_real import DATA, SURGES, WARM_UP_DAYS, draw_surges, in_first_week

FIRST = date(2022, 1, 3)


def news_days(runs: list[tuple[int, int]]) -> set[date]:
    """Days with news: runs of (first day after FIRST, length)."""
    return {FIRST + timedelta(days=start + k) for start, length in runs for k in range(length)}


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@pytest.mark.parametrize("seed", range(6))
def test_drawn_surges_start_after_the_warm_up_week(seed: int) -> None:
    surges = draw_surges(random.Random(seed), news_days([(0, 60)]), WARM_UP_DAYS)
    assert len(surges) == len(SURGES)
    assert min(s.start for s in surges) >= midnight(FIRST + timedelta(days=WARM_UP_DAYS))
    assert in_first_week(surges, midnight(FIRST)) == []


def test_a_shape_that_fits_only_in_the_first_week_is_drawn_there_and_counted_apart() -> None:
    # Eight days of news in a row, then runs of three: only the six-day build has nowhere to go after the week.
    days = news_days([(0, 8), (10, 3), (15, 3), (20, 3), (25, 3)])
    for seed in range(6):
        surges = draw_surges(random.Random(seed), days, WARM_UP_DAYS)
        early = in_first_week(surges, midnight(FIRST))
        assert [s.shape for s in early] == [SURGES[12].shape]  # 1, 2, 5, 13, 9, 7 stories a day
        assert all(s.start >= midnight(FIRST + timedelta(days=WARM_UP_DAYS)) for s in surges if s not in early)


def test_draw_after_zero_draws_anywhere_and_the_warm_up_only_narrows_the_choice() -> None:
    days = news_days([(0, 60)])
    anywhere = [draw_surges(random.Random(seed), days, 0) for seed in range(20)]
    assert min(s.start for drawn in anywhere for s in drawn) < midnight(FIRST + timedelta(days=WARM_UP_DAYS))
    assert draw_surges(random.Random(3), days) == anywhere[3]  # 0 is the function's default: recall_diag's sets


@pytest.mark.skipif(not DATA.exists(), reason=f"the shared wire file {DATA} is not beside the repo")
def test_draw_after_zero_gives_the_wire_s_earlier_held_out_sets_and_seven_moves_them() -> None:
    with gzip.open(DATA, "rt") as lines:
        wire = {
            datetime.fromisoformat(r["published_at"]).date() for r in map(json.loads, lines) if r.get("published_at")
        }
    # Surges named in session 9's notes of seeds 3, 5 and 10, drawn then without a warm-up.
    earlier = {3: "slow conflict SWE 03 Mar 18:27", 5: "medium diplomacy NGA 26 Feb 04:23",
               10: "medium diplomacy KOR 26 Feb 04:56"}  # fmt: skip
    for seed, name in earlier.items():
        assert name in [s.name for s in draw_surges(random.Random(seed), wire, 0)]
        warmed = draw_surges(random.Random(seed), wire, WARM_UP_DAYS)
        assert name not in [s.name for s in warmed]
        early = in_first_week(warmed, midnight(min(wire)))
        assert [s.shape for s in early] == [SURGES[12].shape]  # the wire's six days in a row start 1 and 2 March
