"""Every patch of faust's behaviour, in one place, each with the problem it answers (faust-streaming 0.15.3).

1. `QuickFetchTransport` / `SeekSafeConsumer`: no record skipped around a rebalance (faust-streaming
   #606), and a short fetch wait (faust hard-codes 1.5 s; no upstream setting). Detailed below.
2. `current_event`: a table writes its changelog to the current event's partition; faust's own
   `Stream._set_current_event` also resets what `take_events` buffers (no upstream issue).
3. `recover_to_the_real_end`: table recovery reads changelogs to the end offset the broker lists,
   which tansu 0.6.0 lists short; the end comes from a fetch response instead.
4. `quiet_worker`: faust's terminal spinner sets the root logger to DEBUG at WARNING and above
   (related upstream: faust-streaming #495).
5. `GeopulseWorker`: with the broker gone, faust's worker waited 60 s on a consumer thread that had
   already died, then for acks and a producer flush that could never come; it now stops within
   seconds (there is nothing to commit to a broker that is gone; records after the last commit are
   read again on the next start, as after a crash). Related upstream: robinhood/faust #596, #484.
6. `_QuickFetchThread.verify_event_path`: faust's livelock check reads aiokafka's
   `TopicPartitionState.position`, which asserts while a partition awaits a position (just after an
   assignment or a seek), crashing the worker; such a partition is skipped until it has one.
7. `drain_fully`: a commit flushes the producer first, but faust's `ProducerBuffer.flush` gives up
   as soon as one buffered message takes over 0.1 s to reach aiokafka, so the table changelog
   (sent with `send_soon`, through that buffer) could still be unsent when the offsets of the
   batch that wrote it were committed; it now drains the buffer (faust-streaming #273 added the
   flush before a commit, not this wait).

tests/worker/test_workarounds.py fails when faust no longer has what these patch; pyproject pins
faust-streaming to the versions they were proven on.

The consumer, what went wrong (seen in tests/reliability/test_shutdown.py with a trace of every
fetched batch, hand-off and seek): after an assignment, table recovery ends with
`resume_partitions(stream partitions)`, then `perform_seek()` (seek to the committed offsets), then
`flow_control.resume()`. The fetcher runs all along, so

1. while the seek is in flight the consumer already fetches the stream partitions from the old
   position and hands records to the agents' queues (e.g. articles[1] 99..207, handed up to 124);
2. `flow_control.resume()` clears every agent queue (they are `clear_on_resume`), dropping what
   was handed over during the seek (124), while the drain loop has marked it read;
3. the drain loop goes on with the batch it fetched before the seek, so its read offset passes
   the seek's (124 → 207) and the re-fetch from the committed offset is discarded as already read;
4. the commit then skips the dropped record: `Consumer._new_offset` holds back only when the
   lowest acked offset is more than one past the committed one, and the committed offset is the
   *next* record to read, so a single missing record at it is committed past (faust-streaming
   #606);
5. and when the seek resets the read offset to the committed one while the drain loop goes on
   with its old batch (seen at the scale-out takeover: articles[0] read offset 423, next record
   431), faust takes the jump for a gap in the topic and records 424..431 as committable; they are
   acknowledged too, the duplicates cut faust's run of consecutive acked offsets to one, and the
   commit advanced one offset per commit interval (2.8 s) for 70 s: the takeover that "never
   drains". Records dropped inside such a gap are committed past.

A message whose hand-off is cut short by `stop_flow()` at a rebalance start is dropped the same
way (the drain loop marks it read regardless).

The fix, in `SeekSafeConsumer`: while a rebalance or a seek is in progress, or when a batch was
fetched before the latest seek, records of stream partitions are held back (not handed to the
agents); then, before the next fetch — when nothing is in flight — the consumer seeks the stream
partitions to their committed offsets again, so every record held back or dropped is fetched
anew, and the read offsets are right. Records already processed before that may come again
(at-least-once; the state is idempotent per article). The commit never passes a record that was
not acknowledged: a hole at the committed offset holds the commit and, if it stays, asks for the
same seek. Nothing here depends on the broker: it holds for Apache Kafka as for tansu. Input
topics must hold consecutive offsets (not compacted, no transactional producers), as OffsetWatch
assumes; a hole that no re-fetch fills (records deleted by retention) is committed past after
HOLE_PATIENCE seconds, with an error log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from time import monotonic
from typing import Any

import aiokafka
import faust
from aiokafka.structs import TopicPartition
from faust import streams as faust_streams
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP, ConsumerT, EventT, Message
from kafka.errors import KafkaError

from streams.core.offsets import CommitHoles
from streams.settings import Settings
from streams.worker.clients import end_offsets
from streams.worker.state import Geopulse

__all__ = [
    "FETCH_MAX_WAIT_MS",
    "HOLE_GRACE",
    "HOLE_PATIENCE",
    "GeopulseWorker",
    "QuickFetchTransport",
    "SeekSafeConsumer",
    "current_event",
    "quiet_worker",
    "recover_to_the_real_end",
]

log = logging.getLogger(__name__)

# Faust passes fetch_max_wait_ms=1500 to aiokafka and offers no setting for it. A broker that
# answers a waiting fetch only when that wait ends (the local dev broker, tansu) then holds every
# message for up to 1.5 s per hop; Apache Kafka answers as soon as data arrives, where a shorter
# wait only adds empty polls while idle.
FETCH_MAX_WAIT_MS = 100
HOLE_GRACE = 5.0  # seconds a record at the committed offset may stay unacknowledged before a re-fetch
HOLE_PATIENCE = 120.0  # seconds after which a hole no re-fetch filled is committed past (logged)


class _QuickFetchThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: aiokafka_driver.Transport) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when the consumer starts its fetcher
        return consumer

    def verify_event_path(self, now: float, tp: TP) -> None:
        """faust's livelock check, skipped for a partition whose position aiokafka does not know yet.

        faust reads `TopicPartitionState.position`, which asserts while a partition awaits a reset
        (just assigned, or seeking to its committed offset); the AssertionError crashed the consumer
        and the worker (seen right after a rebalance: kill -9 of one of two workers).
        """
        assignment = self._ensure_consumer()._fetcher._subscriptions.subscription
        state = assignment.assignment.state_value(TopicPartition(tp.topic, tp.partition)) if assignment else None
        if state is not None and not state.has_valid_position:
            return None
        return super().verify_event_path(now, tp)


class SeekSafeConsumer(aiokafka_driver.Consumer):
    """faust's aiokafka consumer that re-fetches from the committed offsets after every seek."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seeks = 0  # perform_seek calls started: a batch fetched before the latest one is stale
        self._seeking = 0  # perform_seek calls running
        self._reseek = False  # seek the stream partitions to their committed offsets before the next fetch
        self._held = 0  # records held back since the last such seek
        self._holes = CommitHoles(grace=HOLE_GRACE, patience=HOLE_PATIENCE)

    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        return _QuickFetchThread(self, loop=self.loop, beacon=self.beacon)

    async def perform_seek(self) -> None:
        self._seeks += 1
        self._seeking += 1
        try:
            await super().perform_seek()
        finally:
            self._seeking -= 1
        self._reseek = True  # once nothing is in flight: records handed over meanwhile may be lost

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        if self._reseek and self._settled():
            await self._seek_to_committed()
        seeks = self._seeks
        async for tp, message in super().getmany(timeout):
            if self._is_changelog_tp(tp) or (seeks == self._seeks and self._settled() and not self._reseek):
                yield tp, message
            else:  # held back: the seek before the next fetch brings it again
                self._reseek = True
                self._held += 1

    def _settled(self) -> bool:
        """No rebalance and no seek in progress: records handed over now stay handed over."""
        return self.flow_active and not self.app.rebalancing and not self._seeking

    async def _seek_to_committed(self) -> None:
        self._reseek = False
        try:
            await aiokafka_driver.Consumer.perform_seek(self)  # faust's seek, without our bookkeeping
            await self._seek_uncommitted_to_beginning()
        except Exception as exc:  # the assignment changing under us (as faust's own seek in getmany handles it)
            log.warning("seek to the committed offsets failed (%r); retrying before the next fetch", exc)
            self._reseek = True
            return
        log.info("stream partitions re-fetched from their committed offsets (%d records held back)", self._held)
        self._held = 0

    async def _seek_uncommitted_to_beginning(self) -> None:
        """Partitions never committed restart where the consumer started them: the beginning, for 'earliest'."""
        if self.app.conf.consumer_auto_offset_reset != "earliest":
            return
        uncommitted = [
            TopicPartition(tp.topic, tp.partition)
            for tp in self.assignment()
            if not self._is_changelog_tp(tp) and self._committed_offset.get(tp) is None
        ]
        if uncommitted:
            await self._thread.seek_to_beginning(*uncommitted)

    def _new_offset(self, tp: TP) -> int | None:
        committed, acked = self._committed_offset[tp], self._acked[tp]
        if committed is None or not acked or self._is_changelog_tp(tp):
            return super()._new_offset(tp)
        lowest = min(acked)
        verdict = self._holes.check(tp, committed, lowest, monotonic())
        if verdict == "refetch":
            log.warning("%s[%s]: offsets %s..%s not acknowledged while later ones are; fetching them again",
                        tp.topic, tp.partition, committed, lowest - 1)  # fmt: skip
            self._reseek = True
        elif verdict == "give_up":
            log.error("%s[%s]: offsets %s..%s never came back in %.0f s; committing past them",
                      tp.topic, tp.partition, committed, lowest - 1, self._holes.patience)  # fmt: skip
        return None if verdict in ("hold", "refetch") else super()._new_offset(tp)


class QuickFetchTransport(aiokafka_driver.Transport):
    """faust's aiokafka transport with SeekSafeConsumer and a fetch wait of FETCH_MAX_WAIT_MS."""

    Consumer = SeekSafeConsumer


@contextlib.contextmanager
def current_event(event: EventT[bytes]) -> Iterator[None]:
    """Make `event` faust's current event in this task: tables write their changelog to its partition.

    Only the context variable that `faust.current_event()` reads; `Stream._set_current_event`
    would also change the stream attribute from which `take_events` collects the events it buffers.
    """
    token = faust_streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)


def recover_to_the_real_end(consumer: ConsumerT, settings: Settings) -> None:
    """Make faust's table recovery read each changelog partition to its real end.

    Recovery replays a changelog partition, from its start, up to the end offset the broker lists.
    tansu 0.6.0 lists less than the real end when the partition's last batch holds several records,
    the usual case (a digest's state changes are flushed together). The replay then turned the keys
    of the last flush back to their previous values in the copy the worker already held (a standby
    or its own partition), and as that digest's offset was committed, its articles were lost from
    the counts for good. The end now comes from a fetch response's high watermark.
    """
    listed = consumer.highwaters

    async def highwaters(*partitions: TP) -> Mapping[TP, int]:
        reported = await listed(*partitions)
        try:
            fetched = await asyncio.to_thread(end_offsets, settings, partitions)
        except (KafkaError, OSError, TimeoutError) as exc:  # recover as faust would, rather than crash
            log.warning("changelog end offsets not confirmed by a fetch (%r); using the listed ones", exc)
            return reported
        return {tp: max(reported.get(tp) or 0, fetched.get(tp, 0)) for tp in partitions}

    consumer.highwaters = highwaters  # type: ignore[method-assign]


def quiet_worker(worker: faust.Worker) -> faust.Worker:
    """`worker` without faust's terminal spinner.

    At WARNING and above faust keeps the spinner, which sets the root logger to DEBUG (every
    library's debug records are then built, only to be dropped by the handler).
    """
    worker.spinner = None
    return worker


UNREACHABLE_STOP_SECONDS = 3.0  # how long to wait for the consumer thread when the broker is gone
UNREACHABLE_EXIT_SECONDS = 10.0  # how long to let faust stop by itself then


class GeopulseWorker(faust.Worker):
    """faust's worker, saying its HTTP address when ready, and stopping promptly without a broker."""

    def __init__(self, gp: Geopulse, *args: Any, **kwargs: Any) -> None:
        super().__init__(gp.app, *args, **kwargs)
        self.gp = gp

    async def on_startup_finished(self) -> None:
        await super().on_startup_finished()
        s = self.gp.settings
        log.info("HTTP on http://%s:%s: /health /ready /metrics /api/counts /api/alerts", s.web_host, s.web_port)

    def _on_sigint(self) -> None:
        self._stop_soon_if_unreachable()
        super()._on_sigint()

    def _on_sigterm(self) -> None:
        self._stop_soon_if_unreachable()
        super()._on_sigterm()

    def _stop_soon_if_unreachable(self) -> None:
        """Stop without waiting on a broker that is gone: for acks of sends in flight, for a commit."""
        if self.gp.state.broker_up or self._signal_stop_time:
            return
        log.warning("stopping while the broker is unreachable: records since the last commit are read again")
        self.gp.app.conf.stream_wait_empty = False  # sends in flight can never be acked: do not wait for them
        thread = getattr(self.gp.app.consumer, "_thread", None)
        if thread is not None:
            thread.shutdown_timeout = UNREACHABLE_STOP_SECONDS
        give_up = threading.Timer(UNREACHABLE_EXIT_SECONDS, _exit_unflushed)
        give_up.daemon = True
        give_up.start()


def _exit_unflushed() -> None:
    """The last resort: the producer still waits for the broker to flush sends it cannot take."""
    log.warning("broker still unreachable after %.0fs: exiting without flushing", UNREACHABLE_EXIT_SECONDS)
    logging.shutdown()
    os._exit(1)


def drain_fully(buffer: Any) -> None:
    """`buffer.flush()` (faust's ProducerBuffer, which a commit awaits) returns only once every message
    put in it has been handed to aiokafka.

    faust's flush waits at most 0.1 s for each next message to leave the buffer, then returns with
    the rest still in it, and it counts a message the drainer has taken but not yet handed on (its
    `send` waiting for room in a full aiokafka batch) as gone. The commit then flushes aiokafka
    without them and commits the offsets of the batch that wrote them; a changelog record refused
    afterwards is missing from the state a restart recovers (tests/reliability/test_commit_flush.py).
    Patched before the buffer starts (its drainer task reads `_send_pending` once).
    """
    hand_on = buffer._send_pending
    in_hand = 0  # messages the drainer took from the queue and has not handed on yet

    async def send_pending(fut: Any) -> None:
        nonlocal in_hand
        in_hand += 1
        try:
            await hand_on(fut)
        finally:
            in_hand -= 1

    async def flush() -> None:
        while (buffer.size or in_hand) and not buffer.crashed:  # a crashed drainer crashes the worker
            if buffer.state != "running" and buffer.size:
                raise RuntimeError("Cannot flush: Producer not Running")  # as faust's
            buffer.message_sent.clear()  # set by the drainer after each message
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(buffer.message_sent.wait(), 1.0)

    buffer._send_pending = send_pending
    buffer.flush = flush
