"""Window maths over integer timestamps, checked with tables and against a brute-force reference."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from streams.core.windows import (
    clamp_ahead,
    closes_at,
    describe_span,
    format_duration,
    from_seconds,
    is_closed,
    parse_duration,
    parse_window,
    to_seconds,
    window_end,
    window_start,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("1h", timedelta(hours=1)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(minutes=90)),
        (" 2H ", timedelta(hours=2)),
        ("0.5h", timedelta(minutes=30)),
    ],
)
def test_parse_duration_reads_units(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("seconds", "exact", "down", "up"),
    [
        (0, "0s", "0s", "0s"),
        (45, "45s", "45s", "45s"),
        (90, "90s", "1m", "2m"),
        (3_000, "50m", "50m", "50m"),
        (3_600, "1h", "1h", "1h"),
        (3_960, "66m", "1h", "2h"),
        (5_400, "90m", "1h", "2h"),
        (86_400, "1d", "1d", "1d"),
        (90_000, "25h", "25h", "25h"),
        (169_000, "169000s", "46h", "47h"),
        (172_800, "2d", "2d", "2d"),
        (183_600, "51h", "2d", "3d"),
        (604_800, "1w", "1w", "1w"),
    ],
)
def test_format_duration_writes_one_unit(seconds: int, exact: str, down: str, up: str) -> None:
    assert (format_duration(seconds), format_duration(seconds, "down"), format_duration(seconds, "up")) == (
        exact, down, up)  # fmt: skip


def test_format_duration_reads_back_as_what_it_rounded() -> None:
    for seconds in [*range(1, 4_000), *random.Random(5).sample(range(4_000, 3_000_000), 3_000)]:
        exact, down, up = (parse_duration(format_duration(seconds, r)).total_seconds() for r in ("exact", "down", "up"))
        assert down <= exact == seconds <= up, seconds
        assert up - down <= (60 if seconds <= 3_600 else 3_600 if seconds <= 172_800 else 86_400), seconds


@pytest.mark.parametrize("text", ["", "1", "h", "1x", "-1h", "0s", "1h foo", "one hour"])
def test_parse_duration_rejects_bad_text_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("ts", "size", "start", "end"),
    [
        (0, 3_600, 0, 3_600),
        (3_599, 3_600, 0, 3_600),
        (3_600, 3_600, 3_600, 7_200),
        (1_641_351_000, 86_400, 1_641_340_800, 1_641_427_200),  # 2022-01-05 03:50 → the day
        (-1, 3_600, -3_600, 0),  # before the epoch still floors
        (125, 60, 120, 180),
    ],
)
def test_window_bounds(ts: int, size: int, start: int, end: int) -> None:
    assert (window_start(ts, size), window_end(ts, size)) == (start, end)


@pytest.mark.parametrize(
    ("start", "size", "grace", "now", "closed"),
    [
        (0, 3_600, 900, None, False),
        (0, 3_600, 900, 3_599, False),
        (0, 3_600, 900, 4_499, False),
        (0, 3_600, 900, 4_500, True),
        (0, 3_600, 0, 3_600, True),
        (0, 86_400, 7_200, 90_000, False),
    ],
)
def test_window_closes_at_end_plus_grace(start: int, size: int, grace: int, now: int | None, closed: bool) -> None:
    assert is_closed(start, size, grace, now) is closed
    assert closes_at(start, size, grace) == start + size + grace


@pytest.mark.parametrize(
    ("ts", "now", "ahead", "expected"),
    [(100, None, 60, 100), (100, 50, None, 100), (100, 50, 60, 100), (1_000, 50, 60, 110), (10, 50, 60, 10)],
)
def test_clamp_ahead(ts: int, now: int | None, ahead: int | None, expected: int) -> None:
    assert clamp_ahead(ts, now, ahead) == expected


@pytest.mark.parametrize(("size", "name"), [(3_600, "hour"), (21_600, "6 hours"), (86_400, "day"), (900, "15 minutes")])
def test_describe_span(size: int, name: str) -> None:
    assert describe_span(size) == name


def test_seconds_round_trip() -> None:
    moment = datetime(2022, 1, 5, 9, 30, 15, tzinfo=UTC)
    assert from_seconds(to_seconds(moment)) == moment


def test_window_of_every_timestamp_matches_brute_force_search() -> None:
    rng = random.Random(7)
    for _ in range(500):
        size = rng.choice([60, 900, 3_600, 86_400])
        ts = rng.randrange(-(10**6), 10**9)
        starts = [s for s in range(ts - size, ts + 1) if s % size == 0 and s <= ts < s + size]
        assert starts == [window_start(ts, size)]


def test_offset_window_of_every_timestamp_matches_brute_force_search() -> None:
    """A window offset from the clock starts `offset` past a clock window's start and holds `ts`."""
    rng = random.Random(11)
    for _ in range(500):
        size = rng.choice([60, 900, 3_600, 86_400])
        offset = rng.randrange(1, size)
        ts = rng.randrange(-(10**6), 10**9)
        starts = [s for s in range(ts - size, ts + 1) if (s - offset) % size == 0 and s <= ts < s + size]
        assert starts == [window_start(ts, size, offset)]
        assert window_end(ts, size, offset) == starts[0] + size


def test_the_hour_from_half_past_holds_a_burst_the_clock_hours_split() -> None:
    burst = [to_seconds(datetime(1987, 10, 20, 17, m, tzinfo=UTC)) for m in (39, 50)]
    burst += [to_seconds(datetime(1987, 10, 20, 18, m, tzinfo=UTC)) for m in (5, 20)]
    assert len({window_start(ts, 3_600) for ts in burst}) == 2
    assert {window_start(ts, 3_600, 1_800) for ts in burst} == {to_seconds(datetime(1987, 10, 20, 17, 30, tzinfo=UTC))}


@pytest.mark.parametrize(
    ("text", "size", "offset"),
    [("1h", 3_600, 0), ("1h+30m", 3_600, 1_800), ("1d+12h", 86_400, 43_200), (" 2h + 1h ", 7_200, 3_600)],
)
def test_parse_window_reads_size_and_offset(text: str, size: int, offset: int) -> None:
    assert parse_window(text) == (timedelta(seconds=size), timedelta(seconds=offset))


@pytest.mark.parametrize(("text", "mentions"), [("1h+1h", r"'1h\+1h'"), ("1h+2h", "shorter"), ("1h+x", "'x'"),
                                                 ("+30m", "''"), ("1h+0m", "positive")])  # fmt: skip
def test_parse_window_rejects_bad_text_naming_it(text: str, mentions: str) -> None:
    with pytest.raises(ValueError, match=mentions):
        parse_window(text)
