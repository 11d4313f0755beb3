"""Counting and judging in event-time order, whatever the speeds the input partitions are read at.

An alert depends on the order articles are judged in: each article's window is judged against the
tally, the window's volume and the closed windows *as of that article*. `geopulse replay` takes the
articles in (event time, article id) order (`order_key`). A worker reads several input partitions,
each at its own speed, so articles come interleaved in another order; judged on arrival, an open
window would be judged against tallies and volumes a replay never had (another window, or the day
instead of the hour, could open the alert).

So the tracker takes articles in the replay's order: `EventTimeGate` holds an article read ahead of
the slowest input partition that is not idle, and lets it in once every such partition has been read
up to it, in (event time, id) order. Each partition is read in its own order, so the gate keeps per
partition the greatest (event time, id) read from it: nothing still to come from a partition sorts
before that (when the producer wrote it in order), and an article at or below the least of them over
the partitions that are not idle can be let in. With one input partition (a replay, or in-order
input) the article just read is that least key: it goes through at once and nothing is written.

What waits is stored (`q:<id>`, in the changelogged store) and rebuilt into the queue after a restart.
State, besides those:

    ord   {"last": {"<p>": [event time, id] greatest read}, "done": [event time, id] greatest let in,
           "n": articles waiting}

Caught up. Waiting for a partition that has nothing more to give — all of it read, while the others
were read ahead — would hold those articles until it is declared idle (`GEOPULSE_IDLE_TIMEOUT`, the
end of every burst). So, as Kafka Streams lets a task go on when an input without buffered records
has no lag (KIP-695), a reader tells (`caught_up`) which partitions it had read to their end offsets.
Unlike KIP-695 the claim is bounded: the reader lists the end offsets (a request to the broker, not
a fetch's high watermark, which can be older than records already produced) only after it sent every
article up to `through`, the greatest (event time, id) it had sent. Every record written before
those articles was in the partition then and was read; with the input written in (event time, id)
order, so is every record that sorts before `through`. The partition's mark is raised to `through`,
not dropped: records produced to it later hold the others back again like any partition's. A claim
listed before a record landed (a bulk load racing the listing, another reader's partitions) cannot
raise a mark past what was sent before the listing. Written out of that order, an article can come
behind what went in, and is taken as one out of order within its partition (below).

An article that sorts at or below what was already let in (out of order within its partition, or
from a partition that was idle) goes in at once: there is no order left to wait for, and the
tracker counts it into its open window, or corrects the closed one (series.py).

>>> from datetime import datetime, timezone
>>> from schemas import TaggedArticle
>>> def article(id, minute):
...     return TaggedArticle(id=id, source="s", title="t", tagger_version="t",
...         published_at=datetime(2022, 1, 5, 9, minute, tzinfo=timezone.utc))
>>> marks = Watermarks({})
>>> gate = EventTimeGate(marks.store, marks)
>>> marks.report(partitions=2, assigned=[0, 1], idle=[])
>>> def read(id, minute, partition):
...     a = article(id, minute)
...     return [held.article.id for held in gate.arrive(a, partition, order_key(a)[0], False)]
>>> read("b", 10, 0), read("c", 20, 0), read("a", 10, 1)  # partition 1 is read up to (09:10, "a")
([], [], ['a'])
>>> read("d", 30, 1), gate.waiting  # partition 0 is read up to (09:20, "c"): "d" waits
(['b', 'c'], 1)
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from schemas import TaggedArticle
from streams.core.watermarks import Watermarks, stream_time_of
from streams.core.windows import to_seconds

__all__ = ["EventTimeGate", "Held", "order_key"]

KEY = "ord"
Key = tuple[int, str]  # (event time, article id)


def order_key(article: TaggedArticle) -> Key:
    """The order articles are counted and judged in: event time (whole seconds), then article id."""
    return to_seconds(article.published_at), article.id


@dataclass(frozen=True)
class Held:
    """An article let in, with the event time it counts at (clamped if it was far ahead)."""

    ts: int
    clamped: bool
    article: TaggedArticle


class EventTimeGate:
    """Articles in (event time, id) order, each let in once every active input partition is read up to it."""

    def __init__(self, store: MutableMapping[str, Any], watermarks: Watermarks) -> None:
        self.store, self.watermarks = store, watermarks
        self._queue: list[tuple[int, str, Held]] | None = None  # rebuilt from `q:` keys on first use

    @property
    def waiting(self) -> int:
        waiting: int = self._state()["n"]
        return waiting

    def holds(self, article_id: str) -> bool:
        """True when the article is waiting (a redelivery of it is a duplicate)."""
        return f"q:{article_id}" in self.store

    def arrive(self, article: TaggedArticle, partition: int, ts: int, clamped: bool) -> list[Held]:
        """Read `article` (event time `ts`) from `partition`; the articles that may go in now, in order."""
        self.watermarks.read(partition, ts)
        state = self._state()
        key, name, last = [ts, article.id], str(partition), state["last"]
        if name not in last or last[name] < key:
            last = {**last, name: key}
        queue = self._pending()
        held = Held(ts, clamped, article)
        done = state["done"]
        if not queue and done is not None and key <= done:
            self._save(last, done, 0)  # behind what went in: nothing to wait for
            return [held]
        heapq.heappush(queue, (ts, article.id, held))
        released = self._release(last, done)
        if not any(r is held for r in released):
            # its events are left out: counting and judging read countries, topics, actors and the
            # fingerprint, not them (they were 40% of a sample article's bytes in every journal)
            lean = article.model_dump(mode="json", exclude={"events"})
            self.store[f"q:{article.id}"] = {"ts": ts, "c": clamped, "a": lean}
        return released

    def report(self, partitions: int, assigned: list[int], idle: list[int], caught_up: Iterable[int] = (),
               through: Sequence[Any] | None = None) -> None:  # fmt: skip
        """A reader's report (schemas.InputReport): idleness to the watermarks, caught-up partitions here."""
        self.watermarks.report(partitions, assigned, idle)
        if through is not None:
            self.caught_up(caught_up, through)

    def caught_up(self, partitions: Iterable[int], through: Sequence[Any]) -> None:
        """A reader had read `partitions` to the end offsets it listed after it had sent every article up
        to `through`: nothing still to come from them sorts before that (see "Caught up" above)."""
        state = self._state()
        last, mark = state["last"], [through[0], through[1]]
        raised = {str(p): mark for p in partitions if str(p) not in last or last[str(p)] < mark}
        if raised:
            self._save({**last, **raised}, state["done"], state["n"])

    def release(self) -> list[Held]:
        """The articles an idle report lets in (their partitions' readers said the others are idle)."""
        state = self._state()
        return self._release(state["last"], state["done"]) if state["n"] else []

    def _release(self, last: dict[str, list[Any]], done: list[Any] | None) -> list[Held]:
        partitions, idle = self.watermarks.inputs()
        # every partition's greatest (event time, id) read: nothing to come from it sorts before that
        least = stream_time_of(partitions, {p: (mark[0], mark[1]) for p, mark in last.items()}, idle)
        bound = None if least is None else list(least)
        upto = bound if done is None or (bound is not None and bound > done) else done
        queue, released = self._pending(), []
        while queue and upto is not None and [queue[0][0], queue[0][1]] <= upto:
            ts, article_id, held = heapq.heappop(queue)
            self.store.pop(f"q:{article_id}", None)
            released.append(held)
            done = [ts, article_id] if done is None or [ts, article_id] > done else done
        self._save(last, done, len(queue))
        return released

    def _state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.store.get(KEY) or {"last": {}, "done": None, "n": 0}
        return state

    def _save(self, last: dict[str, list[Any]], done: list[Any] | None, waiting: int) -> None:
        state = {"last": last, "done": done, "n": waiting}
        if state != self.store.get(KEY):
            self.store[KEY] = state

    def _pending(self) -> list[tuple[int, str, Held]]:
        if self._queue is None:
            self._queue = []
            if self._state()["n"]:
                for name in [k for k in self.store if k.startswith("q:")]:
                    stored = self.store[name]
                    article = TaggedArticle.model_validate(stored["a"])
                    self._queue.append((stored["ts"], article.id, Held(stored["ts"], stored["c"], article)))
                heapq.heapify(self._queue)
        return self._queue
