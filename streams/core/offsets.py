"""Offsets a consumer never delivered, and commits that would pass them.

Our input topics are neither compacted nor transactional, so consecutive records of a partition
have consecutive offsets: a jump means a record was skipped. faust 0.15 did skip some after a
restart or rebalance and committed past them (faust-streaming #216 and #606; the mechanism and
the fix are in streams/worker/workarounds.py). `OffsetWatch` reports any skip that still reaches the
agents (a metric, an error log naming the offsets, an alert rule); `CommitHoles` is the rule by
which the consumer holds a commit that would pass an unacknowledged offset. A redelivery (an
offset at or below one already seen) is what at-least-once allows and is not reported.

>>> watch = OffsetWatch()
>>> [watch.see("articles", 0, offset) for offset in (7, 8, 8, 11)]
[None, None, None, range(9, 11)]
>>> watch.forget()
>>> watch.see("articles", 0, 40) is None
True
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Literal

__all__ = ["CommitHoles", "OffsetWatch", "Verdict"]


class OffsetWatch:
    """The next offset expected per (topic, partition); `see` returns the offsets skipped, if any."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, int], int] = {}

    def see(self, topic: str, partition: int, offset: int) -> range | None:
        key = (topic, partition)
        expected = self._next.get(key)
        if expected is None or offset >= expected:
            self._next[key] = offset + 1
        if expected is not None and offset > expected:
            return range(expected, offset)
        return None

    def forget(self) -> None:
        """Start over, as after a rebalance: the first offset of a partition is never a skip."""
        self._next.clear()


Verdict = Literal["commit", "hold", "refetch", "give_up"]


class CommitHoles:
    """Whether a partition's commit may go on while the offset it would start from is not acknowledged.

    The committed offset is the next record to process. When later offsets are acknowledged but
    not that one (`lowest_acked > committed`), committing would skip the records in between:
    the commit is held ("hold"), a hole older than `grace` seconds asks once for the records to be
    fetched again ("refetch"), and one older than `patience` seconds is given up ("give_up": the
    records are gone, e.g. deleted by retention). Without a hole the verdict is "commit".

    >>> holes = CommitHoles(grace=5, patience=60)
    >>> [holes.check("articles-1", 124, 125, now) for now in (0.0, 3.0, 6.0, 9.0, 61.0)]
    ['hold', 'hold', 'refetch', 'hold', 'give_up']
    >>> holes.check("articles-1", 124, 124, 62.0)
    'commit'
    """

    def __init__(self, grace: float = 5.0, patience: float = 120.0) -> None:
        if not 0 <= grace <= patience:
            raise ValueError(f"need 0 <= grace <= patience, got grace={grace}, patience={patience}")
        self.grace = grace
        self.patience = patience
        self._open: dict[Hashable, tuple[int, float, bool]] = {}  # committed offset, since, re-fetched

    def check(self, key: Hashable, committed: int, lowest_acked: int, now: float) -> Verdict:
        """The verdict for partition `key`, committed at `committed`, lowest acknowledged `lowest_acked`."""
        if lowest_acked <= committed:
            self._open.pop(key, None)
            return "commit"
        offset, since, refetched = self._open.get(key, (committed, now, False))
        if offset != committed:
            since, refetched = now, False
        if now - since >= self.patience:
            self._open.pop(key, None)
            return "give_up"
        verdict: Verdict = "refetch" if now - since >= self.grace and not refetched else "hold"
        self._open[key] = (committed, since, refetched or verdict == "refetch")
        return verdict
