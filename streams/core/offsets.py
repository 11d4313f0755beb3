"""Offsets a consumer never delivered, on topics where every offset holds a record.

Our input topics are neither compacted nor transactional, so consecutive records of a partition
have consecutive offsets: a jump means a record was skipped, and with faust, committed past
(faust-streaming records the jump as a gap; see its issues #216 and #606). Our SIGTERM restart
test sees it: now and then a restarted worker is handed the record before its committed offset,
then the one after, and the record at the committed offset is lost. Seeking the partition back
from the agent (faust's `Consumer.seek`) did not bring it back, so the worker reports the loss
(a metric, an error log naming the offsets, an alert rule) rather than pretending to repair it.
A redelivery (an offset at or below one already seen) is what at-least-once allows and is not
reported.

>>> watch = OffsetWatch()
>>> [watch.see("articles", 0, offset) for offset in (7, 8, 8, 11)]
[None, None, None, range(9, 11)]
>>> watch.forget()
>>> watch.see("articles", 0, 40) is None
True
"""

from __future__ import annotations

__all__ = ["OffsetWatch"]


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
