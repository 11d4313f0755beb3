"""The faust application: topics, the state table and thin agents around the core.

    articles ──ingest+tag──▶ events
        │            └──────▶ geopulse.digests (one batch to every partition)
        └─ bad ─▶ articles.dlq          │
                                        └──count+detect──▶ counts, alerts ──notify──▶ webhooks

Two hops carry an article through: ingest+tag (stateless, batched) and count+detect (partitioned by
country, state in a changelogged table). Each agent decodes, calls one core object and sends.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import hashlib
import logging
import math
import weakref
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import faust
from faust import streams as faust_streams
from faust.types import EventT, StreamT

from schemas import Alert, DeadLetter, DigestBatch, TaggedArticle, WindowCount
from streams import offline
from streams.core.incidents import IncidentTracker
from streams.core.ingest import Ingestor, RawMessage
from streams.core.offsets import OffsetWatch
from streams.kafka import faust_broker_options
from streams.metrics import Metrics
from streams.notify import WebhookConfig
from streams.settings import Settings
from streams.store import PartitionStore
from streams.transport import QuickFetchTransport

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def owner_partition(key: str, partitions: int) -> int:
    """The digests partition that owns a country's series (or an article's per-article metrics)."""
    return zlib.crc32(key.encode()) % partitions


class DigestDecoder:
    """Decodes `geopulse.digests` messages, each distinct message once per worker.

    The ingest stage sends the same batch to every partition, so a worker holding several
    partitions would otherwise validate the same bytes once per partition (the articles are
    frozen models, safe to share between the partitions' trackers).
    """

    def __init__(self, size: int = 16) -> None:
        self._recent: OrderedDict[bytes, DigestBatch] = OrderedDict()
        self._size = size

    def decode(self, raw: bytes) -> DigestBatch:
        batch = self._recent.get(raw)
        if batch is None:
            batch = self._recent[raw] = DigestBatch.model_validate_json(raw)
            if len(self._recent) > self._size:
                self._recent.popitem(last=False)
        return batch


@dataclass
class WorkerState:
    """What the web views report: readiness and the trackers of the assigned partitions."""

    ready: bool = False
    broker_up: bool = True
    trackers: dict[int, tuple[IncidentTracker, PartitionStore]] = field(default_factory=dict)
    counts: dict[str, dict[datetime, WindowCount]] = field(default_factory=dict)  # newest windows per series
    swept: int | None = None  # the stale-series horizon, in windows, of the last full sweep
    offsets: OffsetWatch = field(default_factory=OffsetWatch)  # records the consumer skipped

    def remember(self, count: WindowCount, keep: int = 48) -> None:
        """Keep the newest `keep` windows of each series for /api/counts."""
        windows = self.counts.setdefault(count.key, {})
        windows[count.window_start] = count
        if len(windows) > keep:
            del windows[min(windows)]


@dataclass
class Geopulse:
    """A configured faust app with its topics, table, metrics and state."""

    settings: Settings
    app: faust.App
    metrics: Metrics
    state: WorkerState
    topics: dict[str, faust.TopicT]
    background: set[asyncio.Future[None]] = field(default_factory=set)


# aiokafka keeps one batch in flight per partition and faust's default batch is 16 KiB: a few
# TaggedArticles, or ~50 counts. Sends past a full batch each wait for the broker's answer to drain
# it (a spin of futures per waiting send). Big batches (under Kafka's 1 MB message limit) let one
# produce request carry a whole ingest batch.
PRODUCER_MAX_BATCH_BYTES = 512 * 1024
COUNT_BATCH_TIMEOUT = 0.01  # seconds the count agent waits for more digests once one is in


def faust_app(settings: Settings) -> faust.App:
    app = faust.App(
        settings.app_id,
        **faust_broker_options(settings),
        store=settings.store,
        datadir=str(settings.data_dir),
        processing_guarantee=settings.processing_guarantee,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        broker_rebalance_timeout=settings.rebalance_timeout,
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer="raw",
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        table_cleanup_interval=3600.0,
        # A few ms of linger packs the many small sends of one batch (events, digests, table
        # changelog) into fewer produce requests: p99 produce→events 464–898 → 169–251 ms at 40/s.
        producer_linger_ms=5,
        producer_max_batch_size=PRODUCER_MAX_BATCH_BYTES,
        autodiscover=False,
    )
    app.transport = QuickFetchTransport(app.conf.broker_consumer, app)
    return app


def create_app(
    settings: Settings,
    *,
    tagger: Any = None,
    webhooks: WebhookConfig | None = None,
    metrics: Metrics | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Geopulse:
    """Build the worker's faust app; `tagger` defaults to the product tagger (loaded once here).

    `webhooks` (loaded at the entry point from GEOPULSE_WEBHOOKS_CONFIG) adds the notify agent.
    """
    if tagger is None:
        from streams.core.tagging import Tagger

        tagger = Tagger.default()
    metrics = metrics or Metrics()
    metrics.declare(
        dead_letter_topics=[settings.topics.articles_dlq, settings.topics.webhooks_dlq],
        endpoints=[e.name for e in webhooks.endpoints] if webhooks else [],
    )
    metrics.build.info({"version": metrics_version(), "tagger_version": str(getattr(tagger, "version", ""))})
    app = faust_app(settings)
    names = settings.topics
    topics = {
        name: app.topic(topic, key_type=bytes, value_type=bytes, partitions=settings.partitions)
        for name, topic in names.model_dump().items()
    }
    table = app.Table(
        f"{settings.app_id}-series",
        partitions=settings.partitions,
        # PartitionStore writes JSON bytes itself (orjson), a journal record per flush (streams/store.py);
        # faust picks a table's serializers from key_type and value_type (json unless bytes).
        value_type=bytes,
    )
    gp = Geopulse(settings, app, metrics, WorkerState(), topics)
    ingestor = Ingestor(tagger, clock=clock, max_future=settings.max_future)
    tracker_config = offline.tracker_config(settings)

    @app.agent(topics["articles"], name="ingest")
    async def ingest(stream: StreamT[bytes]) -> AsyncIterator[None]:
        # take_events is faust-streaming's batch API; its StreamT stub does not declare it.
        batches = stream.take_events(settings.batch_size, within=settings.batch_timeout)  # type: ignore[attr-defined]
        async for events in batches:
            watch_offsets(gp, events)
            await ingest_batch(gp, ingestor, events)
            yield None

    digests = DigestDecoder()

    @app.agent(topics["digests"], name="count")
    async def count(stream: StreamT[bytes]) -> AsyncIterator[None]:
        # Digests that queued up are counted together: one wait for the broker's acks and one
        # journal record per partition, instead of one per digest (the costs that dominated when
        # ingest batches, and so digests, held a few articles each).
        batches = stream.take_events(settings.batch_size, within=COUNT_BATCH_TIMEOUT)  # type: ignore[attr-defined]
        async for events in batches:
            watch_offsets(gp, events)
            work: dict[int, tuple[IncidentTracker, PartitionStore, list[DigestBatch]]] = {}
            for event in events:
                partition = event.message.partition
                if partition not in work:
                    work[partition] = (*tracker_of(partition), [])
                work[partition][2].append(digests.decode(event.value))
            await count_batch(gp, {p: (tracker, batch) for p, (tracker, _, batch) in work.items()})
            for partition, (_, store, _) in work.items():
                with current_event(next(e for e in reversed(events) if e.message.partition == partition)):
                    store.flush()
            yield None

    def tracker_of(partition: int) -> tuple[IncidentTracker, PartitionStore]:
        if partition not in gp.state.trackers:
            store = PartitionStore(table, partition)
            owns = lambda country, p=partition: owner_partition(country, settings.partitions) == p  # noqa: E731
            gp.state.trackers[partition] = (IncidentTracker(tracker_config, store=store, owns=owns), store)
        return gp.state.trackers[partition]

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]  # faust types receivers as sync-or-Awaitable unions
    async def forget_trackers(sender: Any, *args: Any, **kwargs: Any) -> None:
        gp.state.ready = False
        gp.state.trackers.clear()
        gp.state.offsets.forget()

    @app.on_rebalance_complete.connect  # type: ignore[arg-type]
    async def mark_ready(sender: Any, *args: Any, **kwargs: Any) -> None:
        gp.state.ready = True

    @app.timer(5.0, on_leader=False)  # type: ignore[untyped-decorator]
    async def observe_health() -> None:
        up = await broker_reachable(settings)
        if up and not gp.state.broker_up:
            up = await topics_survived(gp)
        gp.state.broker_up = up
        gp.metrics.broker_up.set(1 if gp.state.broker_up else 0)
        await observe_consumer_lag(gp, {names.articles, names.digests, names.alerts})

    if webhooks is not None:
        wire_notifier(gp, webhooks)

    from streams.web import register_views

    register_views(gp)
    # The tagger's tables and the app are built and live as long as the process: moved out of the
    # collector's generations, they are no longer traversed by every full collection (which the
    # count stage's many small dicts trigger), a pause that held up both agents.
    gc.freeze()
    return gp


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


async def broker_reachable(settings: Settings, timeout: float = 2.0) -> bool:
    """True when a TCP connection to any bootstrap broker opens (the consumer retries on its own)."""
    for address in (settings.kafka_bootstrap or "").split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        except (OSError, ValueError, TimeoutError):
            continue
        writer.close()
        return True
    return False


async def topics_survived(gp: Geopulse) -> bool:
    """After an outage: False while the check fails; a broker back without the worker's topics crashes it.

    Such a broker (memory storage, a wiped cluster) also lost the committed offsets and the table
    changelog; the consumer would retry its commits forever. Stopping with the reason is clearer, and
    a restart recreates the topics (`geopulse worker` ensures them on start).
    """
    from kafka.errors import KafkaError

    from streams.clients import missing_topics
    from streams.errors import BrokerError

    try:
        missing = await asyncio.to_thread(missing_topics, gp.settings, gp.settings.topics.model_dump().values())
    except KafkaError as exc:
        log.warning("broker reachable but not answering yet: %r", exc)
        return False
    if missing:
        reason = f"the broker came back without topics {', '.join(sorted(missing))}: its data was lost; stopping"
        log.error(reason)
        await gp.app.crash(BrokerError(reason))
    return True


async def observe_consumer_lag(gp: Geopulse, topics: set[str]) -> None:
    """Messages behind the high watermark per assigned partition of the agents' source topics.

    (Table changelogs are assigned to the consumer too, but only read during recovery.)
    """
    consumer = gp.app.consumer
    gp.metrics.consumer_lag.clear()
    for tp in consumer.assignment():
        if tp.topic not in topics:
            continue
        highwater = consumer.highwater(tp)
        position = await consumer.position(tp)
        if highwater is not None and position is not None:
            gp.metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - position))


def observe_series(gp: Geopulse, touched: set[str], tracker: IncidentTracker) -> None:
    """Gauges of the current window of each active series; series quiet for two windows are dropped."""
    metrics, state = gp.metrics, gp.state
    for key in touched:
        newest = state.counts[key][max(state.counts[key])]
        metrics.window_count.labels(newest.country, newest.topic).set(newest.stories)
    now = tracker.stream_time
    if now is None:
        return
    metrics.stream_time.set(now)
    horizon = datetime.fromtimestamp(now, UTC) - 2 * gp.settings.window
    # Window ends are window-aligned, so the set of stale series can only grow when the horizon
    # passes a window boundary: sweep them all then, and otherwise only the series just touched.
    mark = math.ceil(horizon.timestamp() / gp.settings.window.total_seconds())
    keys = list(state.counts) if mark != state.swept else touched
    state.swept = mark
    for key in keys:
        windows = state.counts[key]
        newest = windows[max(windows)]
        if newest.window_end < horizon:
            del state.counts[key]
            with contextlib.suppress(KeyError):
                metrics.window_count.remove(newest.country, newest.topic)


def wire_notifier(gp: Geopulse, webhooks: WebhookConfig) -> None:
    """The notify agent: alerts → Notifier, pending deliveries journaled to `webhooks.retry`."""
    from streams.notify import AiohttpTransport, Notifier
    from streams.webhooks import KafkaJournal, pendings_for

    app, names, metrics = gp.app, gp.settings.topics, gp.metrics
    transport = AiohttpTransport()
    journal = KafkaJournal(gp.topics["webhooks_retry"], gp.topics["webhooks_dlq"], metrics, names.webhooks_dlq)

    def observe(endpoint: str, outcome: str, seconds: float) -> None:
        label = "success" if outcome == "2xx" else outcome
        metrics.deliveries.labels(endpoint, label).inc()
        if outcome not in ("skipped", "queue_full"):
            metrics.delivery_seconds.labels(endpoint).observe(seconds)

    notifier = Notifier(webhooks.endpoints, transport, journal=journal, observer=observe)

    @app.agent(gp.topics["alerts"], name="notify")
    async def notify(stream: StreamT[bytes]) -> AsyncIterator[None]:
        await notifier.start()
        async for event in stream.events():
            await notifier.submit(Alert.model_validate_json(event.value))
            yield None

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]
    async def restore_deliveries(sender: Any, *args: Any, **kwargs: Any) -> None:
        assigned = args[0] if args else kwargs.get("assigned", set())
        partitions = {tp.partition for tp in assigned if tp.topic == names.alerts}
        if partitions:
            task = asyncio.ensure_future(_restore(partitions))
            gp.background.add(task)  # hold a reference until it is done
            task.add_done_callback(gp.background.discard)

    async def _restore(partitions: set[int]) -> None:
        pendings = await asyncio.to_thread(pendings_for, gp.settings, partitions)
        log.info("restoring %d pending webhook deliveries", len(pendings))
        await notifier.restore(pendings)

    @app.on_before_shutdown.connect  # type: ignore[arg-type]
    async def stop_notifier(sender: Any, *args: Any, **kwargs: Any) -> None:
        await notifier.close()
        await transport.close()


def metrics_version() -> str:
    import streams

    return streams.__version__


Outgoing = tuple[str, bytes | None, bytes, int | None]  # topic, key, value, partition (None: by key)


async def publish(gp: Geopulse, messages: list[Outgoing]) -> list[Awaitable[Any]]:
    """Hand the messages to the app's producer in order; the futures of their acks.

    Straight to faust's producer rather than `Topic.send`, whose futures, callbacks and sensors per
    message cost more than the send itself (~18 counts per article go out this way).
    """
    producer = gp.app.producer
    return [await producer.send(topic, key, value, partition, None, None) for topic, key, value, partition in messages]


def _log_failed_send(ack: asyncio.Future[Any]) -> None:
    if not ack.cancelled() and ack.exception() is not None:
        log.error("send failed: %r", ack.exception())


def watch_offsets(gp: Geopulse, events: list[EventT[bytes]]) -> None:
    """Count and log input records that reached the agent past a gap (streams/transport.py re-fetches them)."""
    for event in events:
        message = event.message
        skipped = gp.state.offsets.see(message.topic, message.partition, message.offset)
        if skipped:
            gp.metrics.offsets_skipped.labels(message.topic).inc(len(skipped))
            log.error(
                "%s[%s]: offsets %s..%s were never delivered to the agent (the consumer went past them)",
                message.topic, message.partition, skipped.start, skipped.stop - 1)  # fmt: skip


async def ingest_batch(gp: Geopulse, ingestor: Ingestor, events: list[EventT[bytes]]) -> None:
    metrics = gp.metrics
    # A null value (a tombstone) would crash the agent; it is dead-lettered as empty bytes instead.
    raw = [
        RawMessage(b"" if e.value is None else e.value, e.key, e.message.topic, e.message.partition, e.message.offset)
        for e in events
    ]
    result = ingestor.ingest(raw)
    names = gp.settings.topics
    out: list[Outgoing] = []
    for dead in result.dead:
        metrics.articles.labels("invalid").inc()
        metrics.dead_letters.labels(names.articles_dlq, dead.error_kind).inc()
        log.warning(
            "dead letter from %s[%s]@%s: %s: %s",
            dead.topic, dead.partition, dead.offset, dead.error_kind, dead.error)  # fmt: skip
        out.append((names.articles_dlq, None, fitted(dead).to_json(), None))
    for tagged, seconds in zip(result.tagged, result.tagging_seconds, strict=True):
        out.append((names.events, tagged.id.encode(), tagged.to_json(), None))
        observe_tagged(gp.metrics, tagged, seconds)
    # Partitions interleave in a batch; event-time order keeps the count stage's view close to a replay's.
    for message in DigestBatch.encode(sorted(result.tagged, key=lambda t: t.published_at)):
        out.extend((names.digests, None, message, partition) for partition in range(gp.settings.partitions))
    for ack in await publish(gp, out):  # acks not awaited: the consumer's commit flushes the producer first
        asyncio.ensure_future(ack).add_done_callback(_log_failed_send)
    now = utcnow().timestamp()
    for event in events:
        if event.message.timestamp:
            metrics.latency_from_ingest.observe(max(0.0, now - event.message.timestamp))


MAX_DEAD_LETTER_BYTES = 1_000_000  # under the producer's and Kafka's default message limit (1 MiB)


def fitted(dead: DeadLetter, limit: int = MAX_DEAD_LETTER_BYTES) -> DeadLetter:
    """`dead`, or a copy whose original is cut to fit one Kafka message, with its size and SHA-256.

    The base64 original of a message near Kafka's limit makes a dead letter over it, and a send
    that fails would crash the ingest agent for good.
    """
    room = limit - 16_384 - len(dead.original_key or "")  # the rest of the letter: error text, escapes
    if len(dead.original) <= room:
        return dead
    raw = dead.original_bytes()
    context = {**dead.context, "truncated_from": str(len(raw)), "sha256": hashlib.sha256(raw).hexdigest()}
    return dead.model_copy(update={"original": base64.b64encode(raw[: room * 3 // 4]).decode(), "context": context})


def observe_tagged(metrics: Metrics, tagged: TaggedArticle, seconds: float) -> None:
    metrics.articles.labels("valid").inc()
    metrics.tagging_seconds.observe(seconds)
    metrics.latency_from_published.observe(max(0.0, utcnow().timestamp() - tagged.published_at.timestamp()))
    for event in tagged.events:
        if not event.negated:
            metrics.events.labels(event.type).inc()


async def count_batch(gp: Geopulse, work: dict[int, tuple[IncidentTracker, list[DigestBatch]]]) -> None:
    """Observe each partition's digests with its tracker; send the counts and alerts, wait for their acks."""
    counts: dict[int, dict[tuple[str, datetime], WindowCount]] = {}
    alerts: list[Alert] = []
    for partition, (tracker, batches) in work.items():
        latest = counts[partition] = {}
        for batch in batches:
            for article in batch.articles:
                observation = tracker.observe(article)
                if owner_partition(article.id, gp.settings.partitions) == partition:
                    gp.metrics.articles.labels(observation.outcome).inc()
                for c in observation.counts:
                    latest[(c.key, c.window_start)] = c
                alerts.extend(observation.alerts)
            await asyncio.sleep(0)  # let the ingest agent in between digests (its latency is the product's)
    names = gp.settings.topics
    out: list[Outgoing] = [
        (names.counts, c.key.encode(), c.to_json(), None) for p in counts for c in counts[p].values()
    ]
    out += [(names.alerts, a.key.encode(), a.to_json(), None) for a in alerts]
    # Wait for the broker's acks before the state is written: a crash in between re-reads the digest
    # and sends these again (duplicates), where writing state first could lose them for good.
    await asyncio.gather(*await publish(gp, out))
    for partition, latest in counts.items():
        for c in latest.values():
            gp.state.remember(c)
        observe_series(gp, {c.key for c in latest.values()}, work[partition][0])  # sweeps by that stream time
    for a in alerts:
        gp.metrics.alerts.labels(a.status, a.severity).inc()
