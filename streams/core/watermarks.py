"""Stream time from per-input-partition watermarks: the slowest input that is not idle closes windows.

The articles topic has several partitions, read at different speeds: a backlog after a restart or a
deploy, a new consumer group reading from the earliest offset, one partition fetched before another.
Taking stream time as the newest event time seen anywhere turns the other partitions' backlog into
late articles. So, as Flink merges per-partition watermarks and Kafka Streams holds a task for an
empty input (`max.task.idle.ms`, which since KIP-695 waits only for partitions with no lag), each
input partition has a watermark — the newest event time read from it — and stream time is the
minimum over the partitions that are not idle, never moving back:

- a partition not heard of yet (no record read, no report of it) holds stream time back: nothing
  closes before every partition of the input was read from or reported idle;
- an idle partition — its reader is caught up with it (no backlog) and read nothing from it for
  `GEOPULSE_IDLE_TIMEOUT` seconds — holds nothing back; a record read from it makes it active again,
  and makes every other idle partition hold stream time again until its reader confirms it idle
  (readers repeat their idle reports every second): records that land on one idle partition
  usually land on others too — a bulk load, a producer back from an outage — and the others'
  readers may not have fetched them yet;
- when every partition is idle, stream time is the newest watermark: a stream that went quiet
  closes its windows as far as its data reaches, as `geopulse replay` does at its end.

An article read from a partition whose watermark is ahead of it (out of order within the partition)
or from a partition that was idle can still be behind stream time: that is what the grace, and
after it a correction of the closed window (series.py), are for.

Readers tell idleness with an `IdleWatch` and report it with `report` (the partition count of the
input topic, the partitions they read and which of those are idle); the tracker calls `read` for
every article. State, one JSON value:

    {"n": partitions of the input (0: unknown), "wm": {"<p>": newest event time read},
     "idle": [p, ...], "now": stream time or None}

>>> marks = Watermarks({})
>>> marks.report(partitions=2, assigned=[0, 1], idle=[])
>>> marks.read(0, 100), marks.read(0, 300), marks.read(1, 50)
(None, None, 50)
>>> marks.read(1, 400), marks.read(0, 350)
(300, 350)
>>> marks.report(partitions=2, assigned=[0, 1], idle=[0])  # partition 0 caught up and quiet
>>> marks.stream_time, marks.read(0, 200), marks.stream_time  # an old record wakes it: never back
(400, 400, 400)
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any, TypeVar

__all__ = ["IdleWatch", "Watermarks", "stream_time_of", "woken"]

KEY = "wm"


def woken(idle: list[int], waking: list[int]) -> list[int]:
    """The idle partitions once `waking` (idle ones that got records) are not: none, if any woke.

    Records landing on an idle partition usually land on the others too (a bulk load, a producer
    back after an outage) and their readers may not have fetched them yet; so every idle partition
    holds stream time again until its reader confirms it idle (readers repeat idle reports).
    """
    return [] if waking else idle


Mark = TypeVar("Mark", int, tuple[int, str])  # an event time, or an (event time, id) (ordering.py)


def stream_time_of(partitions: int, watermarks: dict[str, Mark], idle: Iterable[int]) -> Mark | None:
    """The minimum watermark over the partitions that are not idle (None while one is unknown).

    With every partition idle it is the newest watermark. Not monotone by itself: `Watermarks` is.
    The gate of ordering.py takes the same minimum over (event time, id) marks.
    """
    idle = set(idle)
    known = {*range(partitions), *map(int, watermarks), *idle}
    held = [watermarks.get(str(p)) for p in known if p not in idle]
    if not held:
        return max(watermarks.values(), default=None)
    if None in held:
        return None
    return min(held)  # type: ignore[type-var]  # no None left


class Watermarks:
    """Per-input-partition watermarks and idleness in a key of `store`, and the stream time they allow."""

    def __init__(self, store: MutableMapping[str, Any]) -> None:
        self.store = store

    @property
    def stream_time(self) -> int | None:
        now: int | None = self._state()["now"]
        return now

    @property
    def newest(self) -> int | None:
        """The newest event time read from any partition."""
        return max(self._state()["wm"].values(), default=None)

    def inputs(self) -> tuple[int, list[int]]:
        """The partition count of the input (0: unknown) and the idle partitions, as last reported."""
        state = self._state()
        return state["n"], state["idle"]

    def read(self, partition: int, ts: int) -> int | None:
        """An article with event time `ts` was read from `partition`; the stream time now."""
        state = self._state()
        name = str(partition)
        wm, idle = state["wm"], state["idle"]
        if wm.get(name, ts - 1) >= ts and partition not in idle:
            return self.stream_time  # nothing changes: the hot path of an in-order stream
        wm = {**wm, name: max(ts, wm.get(name, ts))}
        return self._save(state["n"], wm, woken(idle, [partition] if partition in idle else []), state["now"])

    def report(self, partitions: int, assigned: Iterable[int], idle: Iterable[int]) -> None:
        """A reader's view: the input has `partitions`; of those it reads (`assigned`), `idle` are idle."""
        state = self._state()
        assigned, now_idle = set(assigned), set(idle)
        was_idle = set(state["idle"])
        kept = sorted((was_idle - assigned) | (now_idle & assigned))
        waking = sorted(was_idle & assigned - now_idle)
        self._save(max(partitions, state["n"]), state["wm"], woken(kept, waking), state["now"])

    def _state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.store.get(KEY) or {"n": 0, "wm": {}, "idle": [], "now": None}
        return state

    def _save(self, partitions: int, wm: dict[str, int], idle: list[int], now: int | None) -> int | None:
        held = stream_time_of(partitions, wm, idle)
        if held is not None and (now is None or held > now):
            now = held
        state = {"n": partitions, "wm": wm, "idle": idle, "now": now}
        if state != self.store.get(KEY):
            self.store[KEY] = state
        return now


class IdleWatch:
    """A reader's side: which of the input partitions it reads are idle, by offsets and a monotonic clock.

    Idle means caught up — the next offset to process is at the partition's high watermark, so a
    partition with a backlog never is — and no record processed for `timeout` seconds (counted from
    the assignment for a partition not read yet). The next offset is the one after the last record
    processed, or the committed offset before any.

    >>> watch = IdleWatch(timeout=10)
    >>> watch.sync([0, 1], now=0.0)
    >>> watch.read(0, offset=41, now=1.0)
    >>> watch.idle(now=10.5, highwaters={0: 42, 1: 7}, committed={0: 30, 1: 7})
    [1]
    >>> watch.idle(now=11.5, highwaters={0: 42, 1: 9}, committed={0: 30, 1: 7})  # 1 got records since
    [0]
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._next: dict[int, int] = {}
        self._quiet_since: dict[int, float] = {}

    @property
    def assigned(self) -> list[int]:
        return sorted(self._quiet_since)

    def sync(self, assigned: Iterable[int], now: float) -> None:
        """The partitions read now: new ones are quiet from `now`, revoked ones forgotten."""
        assigned = set(assigned)
        for partition in assigned - self._quiet_since.keys():
            self._quiet_since[partition] = now
        for partition in self._quiet_since.keys() - assigned:
            del self._quiet_since[partition]
            self._next.pop(partition, None)

    def read(self, partition: int, offset: int, now: float) -> None:
        """A record at `offset` of `partition` was processed."""
        self._next[partition] = offset + 1
        self._quiet_since[partition] = now

    def idle(self, now: float, highwaters: dict[int, int | None], committed: dict[int, int | None]) -> list[int]:
        """The assigned partitions that are idle, given their high watermarks and committed offsets."""
        caught_up = self.caught_up(highwaters, committed)
        return [p for p in caught_up if now - self._quiet_since[p] >= self.timeout]

    def positions(self) -> dict[int, int]:
        """The next offset to process of each partition read so far (a copy: what was read before a request)."""
        return dict(self._next)

    def caught_up(self, ends: dict[int, int | None], committed: dict[int, int | None],
                  positions: dict[int, int] | None = None) -> list[int]:  # fmt: skip
        """The assigned partitions whose next offset (in `positions` if given) is at their end offset."""
        positions = self._next if positions is None else positions
        found = []
        for partition in sorted(self._quiet_since):
            end, position = ends.get(partition), positions.get(partition, committed.get(partition))
            if end is not None and (end == 0 or (position is not None and position >= end)):
                found.append(partition)
        return found
