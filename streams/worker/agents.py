"""The agents' work per batch: faust's events to stage records, the stage's messages to the producer.

The stages (streams/worker/stages.py) decide what to send and what state to write; here it is sent,
acknowledged, written and measured.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import EventT

from schemas import DigestBatch, InputReport
from streams.core.incidents import IncidentTracker
from streams.core.ingest import Ingestor, RawMessage
from streams.core.ordering import order_key
from streams.worker import stages
from streams.worker.idleness import InputWatch
from streams.worker.stages import DigestDecoder, Outgoing
from streams.worker.state import Geopulse
from streams.worker.store import PartitionStore
from streams.worker.workarounds import current_event

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


async def publish(gp: Geopulse, messages: list[Outgoing]) -> list[Awaitable[Any]]:
    """Hand the messages to the app's producer in order; the futures of their acks.

    Straight to faust's producer rather than `Topic.send`, whose futures, callbacks and sensors per
    message cost more than the send itself (~18 counts per article go out this way).
    """
    producer = gp.app.producer
    return [await producer.send(topic, key, value, partition, None, None) for topic, key, value, partition in messages]


UNSENT_EXIT_CODE = 2  # the broker would not take what the worker sends (exits.py: 2 is such a problem)


def stop_without_commit(gp: Geopulse, what: str, exc: BaseException) -> None:
    """Say why, then end the process at once, as a crash would: no commit, no state written.

    The restart recovers each partition's state from its changelog and reads every record since the
    last commit again: the path kill -9 takes (tests/reliability/test_crash.py), exact at least once.
    aiokafka has already retried what a retry can mend (within the producer's request timeout), so
    retrying in-process would fail the same way.
    """
    gp.state.stopping = True
    log.error("%s (%r): stopping without a commit; a restart reads it again", what, exc)
    logging.shutdown()
    os._exit(UNSENT_EXIT_CODE)


@contextmanager
def or_stop(gp: Geopulse, what: Callable[[], str], *, background: bool = False) -> Iterator[None]:
    """The block, or, when it raises, the worker stopped at once (`stop_without_commit`): the line says `what()`.

    For the work of agents and timers. faust restarts a crashed agent in-process, over the same
    stream, where the dead `take_events` batch still holds it: nothing is read again while /ready
    says ready (tests/reliability/test_agent_failure.py). Bad input never gets here: the stages
    dead-letter it. `background` work holds no input records (timers, checks): once the worker
    is shutting down, its failure (a producer already stopped) is logged and the shutdown goes on.
    """
    try:
        yield
    except Exception as exc:
        if background and gp.app.should_stop:
            log.info("%s while shutting down (%r)", what(), exc)
            return
        stop_without_commit(gp, what(), exc)


def batch_failed(kind: str, events: list[EventT[bytes]], noun: str) -> Callable[[], str]:
    """What an `or_stop` line says of a batch: e.g. `ingest batch of 3 articles from t[0]@24 failed`."""

    def what() -> str:
        first = events[0].message
        return f"{kind} batch of {len(events)} {noun} from {first.topic}[{first.partition}]@{first.offset} failed"

    return what


def agent_failed(gp: Geopulse) -> Callable[[Any, BaseException], Coroutine[Any, Any, None]]:
    """faust's `on_error` of every agent: what no `or_stop` caught stops the worker too, before faust's
    own handler would commit and restart the agent in-process (app.py installs it)."""

    async def failed(agent: Any, exc: BaseException) -> None:
        stop_without_commit(gp, f"agent {agent.name} failed", exc)

    return failed


def _stop_if_unsent(gp: Geopulse) -> Callable[[asyncio.Future[Any]], None]:
    """A done-callback for an ack not awaited: a failed send stops the worker before its input is committed.

    faust commits once the producer is flushed. A failed ack's callbacks are queued before the
    flushing task is woken, so they run first (before, the failure was logged and the articles whose
    digests the broker refused were committed past: lost from the counts).
    """

    def check(ack: asyncio.Future[Any]) -> None:
        failure = None if ack.cancelled() else ack.exception()
        if failure is not None:
            stop_without_commit(gp, "a send of the ingest agent failed", failure)

    return check


class StopOnFailedSend(faust.Sensor):
    """A send through a faust topic that fails stops the worker without a commit: the table's changelog.

    The count agent writes its state to the changelogged table after the acks, but faust sends the
    changelog without waiting (before, a refused changelog record was only logged, and after a
    restart the state recovered without it: 34 final counts wrong). faust calls this sensor as the
    send's future fails, before a commit that flushes the producer goes on.
    """

    def __init__(self, gp: Geopulse) -> None:
        super().__init__()
        self.gp = gp

    def on_send_error(self, producer: Any, exc: BaseException, state: Any) -> None:
        stop_without_commit(self.gp, "a send of a faust topic (the table changelog) failed", exc)


def watch_offsets(gp: Geopulse, events: list[EventT[bytes]]) -> None:
    """Count and log input records that reached the agent past a gap (the consumer re-fetches them)."""
    for event in events:
        message = event.message
        skipped = gp.state.offsets.see(message.topic, message.partition, message.offset)
        if skipped:
            gp.metrics.skipped(message.topic, len(skipped))
            log.error(
                "%s[%s]: offsets %s..%s were never delivered to the agent (the consumer went past them)",
                message.topic, message.partition, skipped.start, skipped.stop - 1)  # fmt: skip


async def ingest_events(
    gp: Geopulse, ingestor: Ingestor, events: list[EventT[bytes]], inputs: InputReport | None = None
) -> tuple[int, str] | None:
    """One ingest batch: events, dead letters and digests (with the reader's `inputs`) sent; acks not awaited.

    Returns the greatest (event time, id) of the articles sent (ordering.py), None without any.
    """
    metrics, names = gp.metrics, gp.settings.topics
    # A null value (a tombstone) would crash the agent; it is dead-lettered as empty bytes instead.
    records = [
        RawMessage(b"" if e.value is None else e.value, e.key, e.message.topic, e.message.partition, e.message.offset)
        for e in events
    ]
    done = stages.ingest(ingestor, records, names, gp.settings.partitions, inputs)
    for dead in done.dead:
        metrics.invalid_article(dead.error_kind, names.articles_dlq)
        log.warning(
            "dead letter from %s[%s]@%s: %s: %s",
            dead.topic, dead.partition, dead.offset, dead.error_kind, dead.error)  # fmt: skip
    tagged_at = utcnow().timestamp()
    for tagged, seconds in done.tagged:
        metrics.tagged(tagged, seconds, tagged_at)
    for ack in await publish(gp, done.messages):  # acks not awaited: the consumer's commit flushes the producer first
        asyncio.ensure_future(ack).add_done_callback(_stop_if_unsent(gp))
    metrics.sent_events((e.message.timestamp for e in events if e.message.timestamp), utcnow().timestamp())
    return max((order_key(tagged) for tagged, _ in done.tagged), default=None)


async def count_events(
    gp: Geopulse,
    decoder: DigestDecoder,
    tracker_of: Callable[[int], tuple[IncidentTracker, PartitionStore]],
    events: list[EventT[bytes]],
) -> None:
    """One count batch: counts and alerts sent and acknowledged, then each partition's state written."""
    metrics, state = gp.metrics, gp.state
    work: dict[int, tuple[IncidentTracker, PartitionStore, list[DigestBatch]]] = {}
    for event in events:
        partition = event.message.partition
        if partition not in work:
            work[partition] = (*tracker_of(partition), [])
        work[partition][2].append(decoder.decode(event.value))
    trackers = {partition: (tracker, batches) for partition, (tracker, _, batches) in work.items()}
    counted = await stages.count(trackers, gp.settings.partitions)
    # Wait for the broker's acks before the state is written: a crash in between re-reads the digest
    # and sends these again (duplicates), where writing state first could lose them for good.
    await asyncio.gather(*await publish(gp, counted.messages(gp.settings.topics)))
    for partition, latest in counted.counts.items():
        for c in latest.values():
            state.remember(c)
        touched = {c.key for c in latest.values()}
        metrics.windows(state.newest(key) for key in touched)
        now = work[partition][0].stream_time
        if now is not None:  # series quiet for two windows of that stream time are dropped
            metrics.stream_advanced(now, state.drop_stale(touched, now, gp.settings.detection_windows()[0]))
    for alert in counted.alerts:
        state.note(alert)
    for partition, (_, store, _) in work.items():
        with current_event(next(e for e in reversed(events) if e.message.partition == partition)):
            store.flush()
    # Outcomes are measured once they are sent and their state written: a batch that fails before
    # is read again, and measured then.
    metrics.counted(counted.outcomes)
    metrics.alerted(counted.alerts)
    for outcome, lag, article_id in counted.late:
        state.late.add(outcome, lag, article_id)


async def count_or_stop(
    gp: Geopulse,
    decoder: DigestDecoder,
    tracker_of: Callable[[int], tuple[IncidentTracker, PartitionStore]],
    events: list[EventT[bytes]],
) -> None:
    """`count_events`, or, when the batch fails (a send the broker refused), the worker stopped at once.

    The trackers then hold the batch's changes while its counts and alerts were not all sent, and
    faust would restart the agent in-process, where `take_events`' dead batch still holds the stream:
    nothing is counted again (tests/reliability/test_failed_send.py). The batch's state is written
    only after the acks, so the restart reads it again over the state before it.
    """
    with or_stop(gp, batch_failed("count", events, "digests")):
        await count_events(gp, decoder, tracker_of, events)


async def declare_inputs(gp: Geopulse, inputs: InputWatch) -> None:
    """Idle and caught-up input partitions declared (idle ones confirmed while they stay idle) to every
    count partition; once more if a check was asked for while this one was out (idleness.py)."""
    if not inputs.ask():
        return  # the check that is out runs one more after it
    with or_stop(gp, lambda: "a check of the idle input partitions failed", background=True):  # also a task
        while True:
            report = await inputs.declare()
            if report is not None:
                names, partitions = gp.settings.topics, gp.settings.partitions
                acks = await publish(gp, [(names.digests, None, m, p) for m in DigestBatch.encode([], inputs=report)
                                          for p in range(partitions)])  # fmt: skip
                for ack in acks:
                    asyncio.ensure_future(ack).add_done_callback(_stop_if_unsent(gp))
            if not inputs.asked_again():
                return
