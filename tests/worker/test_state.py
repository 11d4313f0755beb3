"""What the worker remembers for its views: the newest windows per series, stale series dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import WindowCount
from streams.worker.state import WorkerState

HOUR = timedelta(hours=1)
T0 = datetime(2022, 1, 5, tzinfo=UTC)


def count(country: str, hour: int) -> WindowCount:
    start = T0 + hour * HOUR
    return WindowCount(country=country, topic="unrest", window_start=start, window_end=start + HOUR,
                       count=1, stories=1, sources=1, volume=1)  # fmt: skip


def test_remember_keeps_the_newest_windows_of_each_series() -> None:
    state = WorkerState()
    for hour in range(5):
        state.remember(count("KAZ", hour), keep=3)
    assert sorted(w.hour for w in state.counts["KAZ|unrest"]) == [2, 3, 4]
    assert state.newest("KAZ|unrest").window_start == T0 + 4 * HOUR


def test_series_quiet_for_two_windows_are_dropped_at_the_next_window_boundary() -> None:
    state = WorkerState()
    state.remember(count("KAZ", 0))
    state.remember(count("KGZ", 3))
    now = int((T0 + 3.5 * HOUR).timestamp())  # horizon 01:30: KAZ's window ended at 01:00
    dropped = state.drop_stale({"KGZ|unrest"}, now, HOUR)
    assert [c.country for c in dropped] == ["KAZ"]
    assert list(state.counts) == ["KGZ|unrest"]


def test_between_boundaries_only_the_series_just_touched_are_swept() -> None:
    state = WorkerState()
    state.remember(count("KGZ", 3))
    assert state.drop_stale({"KGZ|unrest"}, int((T0 + 3.2 * HOUR).timestamp()), HOUR) == []
    state.remember(count("KAZ", 0))  # stale, but arrives after this window boundary's full sweep
    assert state.drop_stale({"KGZ|unrest"}, int((T0 + 3.4 * HOUR).timestamp()), HOUR) == []
    assert [c.country for c in state.drop_stale({"KAZ|unrest"}, int((T0 + 3.6 * HOUR).timestamp()), HOUR)] == ["KAZ"]
