"""The ingest agent's side of the watermarks: which `articles` partitions it reads, which are idle.

Every DigestBatch the ingest agent sends says which input partition each article came from and
carries this worker's `InputReport`. Only the once-a-second check declares a partition idle, with
end offsets asked of the broker then (a fetch's high watermark can be older than records that just
landed); it sends the report alone to every digests partition when it changed, and confirms idle
partitions when records landed anywhere in the topic (trackers forget idleness when any idle
partition wakes up, see streams/core/watermarks.py). The report riding on a batch only repeats the idleness the check
declared, minus the partitions that have records again.

The check also says which partitions this worker had read to their end (`caught_up`, up to
`through`, the greatest (event time, id) it had sent; streams/core/ordering.py): by the end offsets
the broker lists (ListOffsets, the consumer's `end_offsets`: the high watermark, or the last stable
offset when reading committed), asked only after those articles' digests were handed to the producer,
and compared with the offsets processed before asking. A fetch's high watermark alone is not enough
for it (only as a floor): it can be older than records produced before articles this worker sent. The ingest agent asks
for a check at once when a batch leaves a partition at its fetched high watermark (the end of a burst,
or a worker keeping up with a live feed), so articles waiting for it need not wait for the next second.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from time import monotonic
from typing import Any

from faust.types import TP, EventT

from schemas import InputReport
from streams.core.watermarks import IdleWatch

log = logging.getLogger(__name__)


class InputWatch:
    """Idleness of the assigned partitions of one input topic, read off faust's consumer."""

    def __init__(self, app: Any, topic: str, timeout: float) -> None:
        self.app, self.topic = app, topic
        self.watch = IdleWatch(timeout)
        self.sent: InputReport | None = None  # the last report sent on its own
        self.ends: dict[int, int] = {}  # end offsets of every partition of the topic at the last check
        self.through: tuple[int, str] | None = None  # the greatest (event time, id) of an article sent
        self.checking = False  # a check is waiting for the broker's end offsets
        self.again = False  # a check was asked for meanwhile: run one more when it is back

    def read(self, events: Iterable[EventT[bytes]], greatest: tuple[int, str] | None = None) -> None:
        """The events' digests were handed to the producer (`greatest`: the greatest (event time, id) among them)."""
        now = monotonic()
        for event in events:
            self.watch.read(event.message.partition, event.message.offset, now)
        if greatest is not None and (self.through is None or greatest > self.through):
            self.through = greatest

    def at_fetched_end(self) -> bool:
        """True when an assigned partition was read to the high watermark of its last fetch (a check is due)."""
        positions = self.watch.positions()
        assigned = [tp for tp in self.app.consumer.assignment() if tp.topic == self.topic]
        return any(positions.get(tp.partition, -1) >= (self._highwater(tp) or 0) for tp in assigned)

    def ask(self) -> bool:
        """True when a check may start; False while one is out, noting that one more is due after it
        (the positions of the one out may be older than records sent since)."""
        self.again = self.again or self.checking
        return not self.checking

    def asked_again(self) -> bool:
        """True (once) when a check was asked for while one was out: the caller runs another."""
        again, self.again = self.again, False
        return again

    def report(self) -> InputReport | None:
        """The view a batch carries: the idleness last declared, of partitions still idle now."""
        report = self._view({})
        if report is None:
            return None
        declared = set(self.sent.idle) if self.sent is not None else set()
        return report.model_copy(update={"idle": [p for p in report.idle if p in declared]})

    async def declare(self) -> InputReport | None:
        """The view with the broker's end offsets, to send when it changed, or to confirm idleness.

        Idle partitions are confirmed whenever the end offset of any partition of the topic moved
        since the last check: records landed somewhere, and trackers forget idleness when an idle
        partition wakes up. A quiet topic sends nothing.
        """
        consumer = self.app.consumer
        partitions = self._partitions()
        if not partitions or self.app.rebalancing or self.checking:
            # mid-rebalance the assignment and its offsets are changing: a partition about to be
            # revoked read as caught up (and idle) let the other partitions' stream time run ahead
            return None
        positions, through = self.watch.positions(), self.through  # what was sent before the end offsets are asked
        self.checking = True
        try:
            listed = await consumer.highwaters(*(TP(self.topic, p) for p in range(partitions)))
        except Exception as exc:  # the broker away, the metadata changing: declare nothing new
            log.debug("end offsets of %s not read: %r", self.topic, exc)
            return None
        finally:
            self.checking = False
        ends = {tp.partition: end for tp, end in listed.items()}
        moved, self.ends = ends != self.ends, ends
        report = self._view(ends, positions, through)
        if report is None or (report == self.sent and not (report.idle and moved)):
            return None
        if set(report.idle) != set(self.sent.idle if self.sent else ()):
            log.info("%s partitions idle: %s of %s", self.topic, report.idle or "none", report.assigned)
        self.sent = report
        return report

    def _view(self, listed: dict[int, int], positions: dict[int, int] | None = None,
              through: tuple[int, str] | None = None) -> InputReport | None:  # fmt: skip
        """Idleness by the fetched high watermarks (or the broker's end offsets in `listed`, if higher);
        with `through`, the partitions that `positions` (taken before `listed` was asked) reach the end of."""
        consumer = self.app.consumer
        partitions = self._partitions()
        if not partitions:
            return None  # the topic's metadata not read yet
        assigned = [tp for tp in consumer.assignment() if tp.topic == self.topic]
        self.watch.sync([tp.partition for tp in assigned], monotonic())
        ends = {tp.partition: highest(self._highwater(tp), listed.get(tp.partition)) for tp in assigned}
        # faust knows the committed offset after its seek, and keeps None for 0: a partition read from
        # nowhere is caught up only if empty (never idle by guess: that made a restarted worker's
        # unread partitions idle and their articles late)
        committed = {tp.partition: consumer._committed_offset.get(tp) or 0 for tp in assigned}
        idle = self.watch.idle(monotonic(), ends, committed)
        if through is None:
            return InputReport(partitions=partitions, assigned=self.watch.assigned, idle=idle)
        # the listed end offsets, or the fetched high watermark if higher (the local broker lists less than
        # the end of a partition whose last batch holds several records; see tests/reliability/support.py)
        caught_up = self.watch.caught_up(dict(ends), committed, positions)
        return InputReport(partitions=partitions, assigned=self.watch.assigned, idle=idle, caught_up=caught_up,
                           through=through if caught_up else None)  # fmt: skip

    def _partitions(self) -> int:
        """Partitions of the topic in the consumer's cluster metadata (faust's own count is the group leader's only)."""
        try:
            found = self.app.consumer._thread._ensure_consumer().partitions_for_topic(self.topic)
        except Exception:  # the consumer not started yet
            return 0
        return len(found or ())

    def _highwater(self, tp: TP) -> int | None:
        try:
            end: int | None = self.app.consumer.highwater(tp)
        except Exception:  # not fetched yet, or the assignment changing under us
            return None
        return end


def highest(*ends: int | None) -> int | None:
    known = [end for end in ends if end is not None]
    return max(known) if known else None
