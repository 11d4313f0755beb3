"""The ingest side of caught-up reports (streams/worker/idleness.py): a partition is said read to its end
only by end offsets the broker listed *after* the positions and `through` it is judged by were taken."""

from __future__ import annotations

import asyncio
import inspect
from types import SimpleNamespace
from typing import Any

from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP

from schemas import InputReport
from streams.worker.idleness import InputWatch

TOPIC = "articles"


def events(partition: int, offsets: range) -> list[Any]:
    return [SimpleNamespace(message=SimpleNamespace(partition=partition, offset=o)) for o in offsets]


class Consumer:
    """What InputWatch reads of faust's consumer: the assignment, fetched high watermarks, committed
    offsets, the topic's partitions, and `highwaters` (the broker's end offsets), which runs `meanwhile`
    while the request is out."""

    def __init__(self, fetched: dict[int, int], listed: dict[int, int]) -> None:
        self.fetched, self.listed = fetched, listed
        self._committed_offset: dict[TP, int] = {}
        self.meanwhile = lambda: None
        thread = SimpleNamespace(partitions_for_topic=lambda topic: set(fetched))
        self._thread = SimpleNamespace(_ensure_consumer=lambda: thread)

    def assignment(self) -> set[TP]:
        return {TP(TOPIC, p) for p in self.fetched}

    def highwater(self, tp: TP) -> int:
        return self.fetched[tp.partition]

    async def highwaters(self, *tps: TP) -> dict[TP, int]:
        await asyncio.sleep(0)
        self.meanwhile()
        return {tp: self.listed[tp.partition] for tp in tps}


def declared(consumer: Consumer, watch: InputWatch) -> InputReport | None:
    return asyncio.run(watch.declare())


def test_a_partition_is_caught_up_by_the_positions_taken_before_the_end_offsets_were_listed() -> None:
    consumer = Consumer(fetched={0: 5, 1: 3}, listed={0: 5, 1: 4})
    watch = InputWatch(SimpleNamespace(consumer=consumer, rebalancing=False), TOPIC, timeout=10)
    watch.read(events(0, range(5)), greatest=(100, "a"))
    watch.read(events(1, range(3)), greatest=(90, "b"))
    assert watch.at_fetched_end()  # both at their fetched high watermark: a check is due

    def read_more() -> None:  # while the request is out, partition 1's fourth record is read and sent
        watch.read(events(1, range(3, 4)), greatest=(200, "z"))

    consumer.meanwhile = read_more
    report = declared(consumer, watch)
    assert report is not None
    # partition 1 was at 3 when the positions were taken, its end is 4: not caught up, although read
    # to 4 by now and although its fetched high watermark (3) said so; the bound is what was sent then
    assert (report.caught_up, report.through) == ([0], (100, "a"))
    report = declared(consumer, watch)  # the next check: both, up to the greatest key sent since
    assert report is not None and (report.caught_up, report.through) == ([0, 1], (200, "z"))


def test_nothing_read_says_nothing_caught_up_and_a_partition_behind_its_end_is_not() -> None:
    consumer = Consumer(fetched={0: 0, 1: 7}, listed={0: 0, 1: 7})
    watch = InputWatch(SimpleNamespace(consumer=consumer, rebalancing=False), TOPIC, timeout=10)
    report = declared(consumer, watch)
    assert report is not None and (report.caught_up, report.through) == ([], None)  # no bound, no claim
    watch.read(events(1, range(4)), greatest=(50, "c"))
    report = declared(consumer, watch)
    assert report is not None and (report.caught_up, report.through) == ([0], (50, "c"))  # 0 is empty


def test_faust_lists_end_offsets_from_the_broker_where_highwater_reads_the_last_fetch() -> None:
    """The claim rests on `highwaters` asking the broker (aiokafka's end_offsets, a ListOffsets request
    at the consumer's isolation level) and not repeating a fetch's high watermark."""
    listed = inspect.getsource(aiokafka_driver.AIOKafkaConsumerThread._highwaters)
    assert "end_offsets(" in listed
    fetched = inspect.getsource(aiokafka_driver.AIOKafkaConsumerThread.highwater)
    assert ".highwater(" in fetched and "end_offsets" not in fetched


def test_a_check_asked_for_while_one_is_out_is_run_after_it() -> None:
    """The end of a burst: the last batch is sent while a check taken before it is out. That check cannot
    cover the batch, so the one asked for meanwhile must run after it (not be dropped)."""
    consumer = Consumer(fetched={0: 5}, listed={0: 5})
    watch = InputWatch(SimpleNamespace(consumer=consumer, rebalancing=False), TOPIC, timeout=10)
    watch.read(events(0, range(3)), greatest=(30, "c"))

    async def checks() -> list[InputReport | None]:
        assert watch.ask()
        first = asyncio.ensure_future(watch.declare())
        await asyncio.sleep(0)
        watch.read(events(0, range(3, 5)), greatest=(50, "e"))  # the last batch, sent meanwhile
        assert not watch.ask()  # its check is left to the one out
        reports = [await first]
        assert watch.asked_again() and not watch.asked_again()  # once
        reports.append(await watch.declare())
        return reports

    first, again = asyncio.run(checks())
    assert first is not None and (first.caught_up, first.through) == ([], None)  # taken at 3 of 5
    assert again is not None and (again.caught_up, again.through) == ([0], (50, "e"))
