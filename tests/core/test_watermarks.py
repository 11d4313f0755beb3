"""Watermarks against a brute-force reference: stream time recomputed from the whole history at every step."""

from __future__ import annotations

import random

import pytest

from streams.core.watermarks import IdleWatch, Watermarks

Step = tuple[str, int, int | list[int]]  # ("read", partition, ts) or ("idle", reader, idle partitions)


def brute_force(partitions: int, readers: list[list[int]], steps: list[Step]) -> list[int | None]:
    """Stream time after each step, by the rules read off the module docstring, recomputed from scratch."""
    out: list[int | None] = []
    for k in range(len(steps)):
        reads: dict[int, list[int]] = {}
        idle: set[int] = set()
        held: list[int] = []
        for kind, who, what in steps[: k + 1]:
            if kind == "read":
                assert isinstance(what, int)
                reads.setdefault(who, []).append(what)
                if who in idle:
                    idle = set()  # a partition waking up wakes them all
            else:
                assert isinstance(what, list)
                mine = set(readers[who])
                waking = (idle & mine) - set(what)
                idle = (idle - mine) | (set(what) & mine)
                if waking:
                    idle = set()
            active = [p for p in range(partitions) if p not in idle]
            if not active:
                value = max((max(ts) for ts in reads.values()), default=None)
            elif all(p in reads for p in active):
                value = min(max(reads[p]) for p in active)
            else:
                value = None
            if value is not None:
                held.append(value)
        out.append(max(held) if held else None)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_stream_time_matches_the_brute_force_reference(seed: int) -> None:
    rng = random.Random(seed)
    partitions = rng.randint(1, 5)
    cut = rng.randint(0, partitions)
    readers = [list(range(cut)), list(range(cut, partitions))]
    steps: list[Step] = []
    for _ in range(rng.randint(1, 60)):
        if rng.random() < 0.8:
            steps.append(("read", rng.randrange(partitions), rng.randint(0, 1_000)))
        else:
            who = rng.randrange(2)
            steps.append(("idle", who, sorted(p for p in readers[who] if rng.random() < 0.5)))
    marks = Watermarks({})
    got: list[int | None] = []
    for reader in readers:
        marks.report(partitions, reader, [])
    for kind, who, what in steps:
        if kind == "read":
            assert isinstance(what, int)
            got.append(marks.read(who, what))
        else:
            assert isinstance(what, list)
            marks.report(partitions, readers[who], what)
            got.append(marks.stream_time)
    assert got == brute_force(partitions, readers, steps)


def test_stream_time_never_moves_back() -> None:
    marks = Watermarks({})
    marks.report(2, [0, 1], [])
    assert [marks.read(0, 500), marks.read(1, 400), marks.read(1, 100)] == [None, 400, 400]
    marks.report(2, [0, 1], [1])
    assert marks.stream_time == 500
    assert marks.read(1, 50) == 500  # woken with an old record: held, not moved back


def test_a_partition_with_a_backlog_is_never_idle() -> None:
    watch = IdleWatch(timeout=5)
    watch.sync([0], now=0.0)
    watch.read(0, offset=9, now=0.0)
    assert watch.idle(now=100.0, highwaters={0: 50}, committed={0: 0}) == []
    assert watch.idle(now=100.0, highwaters={0: 10}, committed={0: 0}) == [0]
