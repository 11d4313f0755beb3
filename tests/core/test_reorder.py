"""The reorder buffer: a stable sort's order for input out of order within the bound, bounded memory, refusal beyond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas import TaggedArticle
from streams.core.reorder import Ordered, OutOfOrder, ReorderBuffer, in_event_time, reordered

START = datetime(2022, 1, 5, tzinfo=UTC)


def behind_at_most(times: list[datetime]) -> timedelta:
    """How far out of order `times` are: the most any one is older than the newest before it."""
    newest, worst = times[0], timedelta(0)
    for when in times:
        worst = max(worst, newest - when)
        newest = max(newest, when)
    return worst


def through(buffer: ReorderBuffer[int], times: list[datetime]) -> list[int]:
    out = [n for n, when in enumerate(times) for n in buffer.push(when, n)]
    return out + list(buffer.drain())


minutes = st.lists(st.integers(0, 600), min_size=1, max_size=200)


@given(minutes)
def test_input_within_the_bound_comes_out_as_a_stable_sort(offsets: list[int]) -> None:
    times = [START + timedelta(minutes=m) for m in offsets]
    stable = sorted(range(len(times)), key=lambda n: times[n])
    assert through(ReorderBuffer(behind_at_most(times)), times) == stable


@given(minutes, st.integers(0, 120))
def test_with_any_bound_the_order_is_the_sort_or_a_refusal(offsets: list[int], bound: int) -> None:
    times = [START + timedelta(minutes=m) for m in offsets]
    stable = sorted(range(len(times)), key=lambda n: times[n])
    try:
        assert through(ReorderBuffer(timedelta(minutes=bound)), times) == stable
    except OutOfOrder as exc:
        assert exc.behind > timedelta(minutes=bound)  # only input beyond the bound is refused
        assert behind_at_most(times) > timedelta(minutes=bound)


def test_the_buffer_holds_the_bound_of_event_time_whatever_the_length() -> None:
    # One article a minute, every tenth one 30 minutes late: a 1-hour bound holds at most the 60 of an
    # hour and the one just come, for a stream of a thousand as for one of fifty thousand.
    peaks = []
    for n in (1_000, 50_000):
        times = [START + timedelta(minutes=m - (30 if m % 10 == 0 else 0)) for m in range(n)]
        buffer: ReorderBuffer[int] = ReorderBuffer(timedelta(hours=1))
        assert len(through(buffer, times)) == n and len(buffer) == 0
        peaks.append(buffer.peak)
    assert peaks[0] == peaks[1] <= 61


def test_an_article_behind_one_already_given_back_is_refused_with_where_and_by_how_much() -> None:
    def article(n: int, hour: int) -> tuple[str, TaggedArticle]:
        when = START + timedelta(hours=hour)
        return f"f.jsonl:{n}", TaggedArticle(id=f"a{n}", source="s", title="t", published_at=when, tagger_version="t")

    stream = [article(1, 2), article(2, 5), article(3, 1)]  # a1 leaves when a2 comes; a3 is older
    with pytest.raises(OutOfOrder) as refused:
        list(reordered(stream, timedelta(hours=1)))
    assert refused.value.where == "f.jsonl:3" and refused.value.behind == timedelta(hours=4)
    assert [a.id for a in reordered(stream, timedelta(hours=4))] == ["a3", "a1", "a2"]


def test_ordered_input_is_taken_as_it_comes_and_checked() -> None:
    def article(hour: int) -> TaggedArticle:
        when = START + timedelta(hours=hour)
        return TaggedArticle(id=f"a{hour}", source="s", title="t", published_at=when, tagger_version="t")

    unsorted = [article(2), article(1)]
    assert [a.id for a in in_event_time(unsorted)] == ["a1", "a2"]  # a plain iterable is sorted
    promised = Ordered(iter(unsorted))
    assert in_event_time(promised) is promised
    with pytest.raises(AssertionError):
        list(promised)
