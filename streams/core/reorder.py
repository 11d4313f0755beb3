"""Putting a stream that is nearly in event-time order back in order, holding only the nearly.

An archive written as the news came in is in published_at order except for stragglers: a story
filed late, a feed merged in a little behind another. `ReorderBuffer` takes items in file order and
gives them back sorted by (time, tie, file order) — for articles the tie is the id, so the order is
`order_key`'s, the one a worker counts in (ordering.py) — as soon as no later item
can come before them: an item leaves when the newest time seen is at least `bound` past it. It holds
only the items of the last `bound` of event time, whatever the length of the stream.

An item older than one already given back cannot be put in its place: that stream is out of order by
more than the bound, and `push` raises `OutOfOrder` (saying by how much) instead of giving a different
order than a sort would.

>>> from datetime import datetime, timedelta
>>> def at(hour): return datetime(2022, 1, 5, hour)
>>> buffer = ReorderBuffer(timedelta(hours=2))
>>> [x for when, x in [(at(1), "a"), (at(3), "b"), (at(2), "c"), (at(5), "d")] for x in buffer.push(when, x)]
['a', 'c', 'b']
>>> list(buffer.drain()), buffer.peak
(['d'], 3)
>>> buffer = ReorderBuffer(timedelta(hours=1))
>>> _ = [list(buffer.push(at(h), h)) for h in (1, 3)]
>>> list(buffer.push(at(0), 0))
Traceback (most recent call last):
...
streams.core.reorder.OutOfOrder: 3:00:00 older than an article before it, beyond the reorder bound of 1:00:00
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from schemas import TaggedArticle
from streams.core.ordering import order_key
from streams.core.windows import from_seconds
from streams.errors import GeopulseError

T = TypeVar("T")


class OutOfOrder(GeopulseError):
    """An item came more than the reorder bound behind the newest one before it."""

    def __init__(self, behind: timedelta, bound: timedelta) -> None:
        super().__init__(f"{behind} older than an article before it, beyond the reorder bound of {bound}")
        self.behind = behind
        self.bound = bound
        self.where = ""  # the item's place in the input, when the caller knows it


class ReorderBuffer(Generic[T]):
    """Items back in (time, tie, arrival) order, holding those of the last `bound` of event time."""

    def __init__(self, bound: timedelta) -> None:
        if bound < timedelta(0):
            raise ValueError(f"bound must not be negative, got {bound!r}")
        self.bound = bound
        self.peak = 0  # the most items held at once
        self._heap: list[tuple[datetime, str, int, T]] = []
        self._arrived = 0
        self._newest: datetime | None = None
        self._released: datetime | None = None

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, when: datetime, item: T, tie: str = "") -> Iterator[T]:
        """Take one item; give back, in order, every item that nothing still to come can precede."""
        if self._released is not None and when < self._released:
            assert self._newest is not None
            raise OutOfOrder(self._newest - when, self.bound)
        if self._newest is None or when > self._newest:
            self._newest = when
        heapq.heappush(self._heap, (when, tie, self._arrived, item))
        self._arrived += 1
        self.peak = max(self.peak, len(self._heap))
        # A later item is at most `bound` older than the newest, so nothing can come before this.
        return self._release(self._newest - self.bound)

    def drain(self) -> Iterator[T]:
        """The items still held, in order (at the end of the stream)."""
        while self._heap:
            yield self._pop()

    def _release(self, upto: datetime) -> Iterator[T]:
        while self._heap and self._heap[0][0] <= upto:
            yield self._pop()

    def _pop(self) -> T:
        when, _, _, item = heapq.heappop(self._heap)
        self._released = when
        return item


class Ordered(Iterable[TaggedArticle]):
    """Articles in `order_key` order (event time in whole seconds, then id): the order a worker counts them in.

    `replay` takes an `Ordered` as it comes instead of sorting it in memory; the order is checked as
    the articles pass (an article before the one before it raises AssertionError, a bug of the maker).
    """

    def __init__(self, articles: Iterable[TaggedArticle]) -> None:
        self._articles = articles

    def __iter__(self) -> Iterator[TaggedArticle]:
        last: tuple[int, str] | None = None
        for article in self._articles:
            key = order_key(article)
            assert last is None or key >= last, "Ordered articles out of order"
            last = key
            yield article


def in_event_time(tagged: Iterable[TaggedArticle]) -> Iterable[TaggedArticle]:
    """The articles in `order_key` order: as they come if `Ordered`, else sorted in memory."""
    return tagged if isinstance(tagged, Ordered) else sorted(tagged, key=order_key)


def reordered(tagged: Iterable[tuple[str, TaggedArticle]], bound: timedelta) -> Ordered:
    """(where, article) pairs at most `bound` out of order, as `Ordered` articles; OutOfOrder names where."""

    def articles() -> Iterator[TaggedArticle]:
        buffer: ReorderBuffer[TaggedArticle] = ReorderBuffer(bound)
        for where, article in tagged:
            try:
                seconds, tie = order_key(article)
                released = buffer.push(from_seconds(seconds), article, tie)
            except OutOfOrder as exc:
                exc.where = where
                raise
            yield from released
        yield from buffer.drain()

    return Ordered(articles())
