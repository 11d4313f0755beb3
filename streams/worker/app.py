"""The worker's faust app: topics, the state table, agents, timers and views wired together.

It decides nothing: the stages decide what to send (streams/worker/stages.py), the agents' batch
work sends it (agents.py), health.py watches the broker, webhooks.py delivers alerts, web.py serves.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import faust
from faust.types import StreamT

from streams.core.incidents import IncidentTracker
from streams.core.ingest import REASONS, Ingestor
from streams.core.tagging import Tagger
from streams.metrics import Metrics
from streams.notify import WebhookConfig
from streams.notify.pending import DEAD_LETTER_REASONS
from streams.notify.retry import OUTCOME_LABELS
from streams.settings import Settings, tracker_config
from streams.worker import health
from streams.worker.agents import (
    StopOnFailedSend,
    agent_failed,
    batch_failed,
    count_or_stop,
    declare_inputs,
    ingest_events,
    or_stop,
    utcnow,
    watch_offsets,
)
from streams.worker.clients import series_table
from streams.worker.idleness import InputWatch
from streams.worker.kafka import faust_broker_options
from streams.worker.stages import DigestDecoder, partition_tracker
from streams.worker.state import Geopulse, WorkerState
from streams.worker.store import PartitionStore
from streams.worker.web import register_views
from streams.worker.webhooks import wire_notifier
from streams.worker.workarounds import QuickFetchTransport, drain_fully

log = logging.getLogger(__name__)

# aiokafka keeps one batch in flight per partition and faust's default batch is 16 KiB: a few
# TaggedArticles, or ~50 counts. Sends past a full batch each wait for the broker's answer to drain
# it (a spin of futures per waiting send). Big batches (under Kafka's 1 MB message limit) let one
# produce request carry a whole ingest batch.
PRODUCER_MAX_BATCH_BYTES = 512 * 1024
COUNT_BATCH_TIMEOUT = 0.01  # seconds the count agent waits for more digests once one is in
IDLE_CHECK_INTERVAL = 1.0  # seconds between checks of which input partitions are idle
LATE_LOG_INTERVAL = 10.0  # seconds: articles behind stream time are logged in one line per interval


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
    drain_fully(app.producer.buffer)  # a commit waits for the table changelog (workarounds.py)
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
    tagger = tagger if tagger is not None else Tagger.default()
    metrics = metrics or Metrics()
    names = settings.topics
    metrics.declare(
        dead_letters={names.articles_dlq: REASONS, names.webhooks_dlq: DEAD_LETTER_REASONS},
        endpoints=[e.name for e in webhooks.endpoints] if webhooks else [],
        outcomes=OUTCOME_LABELS,
        input_topics=[names.articles, names.digests],
    )
    metrics.built(str(getattr(tagger, "version", "")))
    app = faust_app(settings)
    topics = {
        name: app.topic(topic, key_type=bytes, value_type=bytes, partitions=settings.partitions)
        for name, topic in settings.topics.model_dump().items()
    }
    gp = Geopulse(settings, app, metrics, WorkerState(), topics)
    app.sensors.add(StopOnFailedSend(gp))
    # every agent declared below gets this as on_error (faust's own commits, then restarts the agent in-process)
    app._on_agent_error = agent_failed(gp)  # type: ignore[method-assign,assignment]
    metrics.broker(gp.state.broker_up)  # as /ready says, from the first second
    wire_ingest(gp, Ingestor(tagger, clock=clock, max_future=settings.max_future))
    wire_count(gp)
    wire_lifecycle(gp)
    if webhooks is not None:
        wire_notifier(gp, webhooks)
    register_views(gp)
    # The tagger's tables and the app are built and live as long as the process: moved out of the
    # collector's generations, they are no longer traversed by every full collection (which the
    # count stage's many small dicts trigger), a pause that held up both agents.
    gc.freeze()
    return gp


def wire_ingest(gp: Geopulse, ingestor: Ingestor) -> None:
    """The ingest agent: batches of `articles` through the ingest stage; which of them are idle, every second."""
    settings = gp.settings
    inputs = InputWatch(gp.app, settings.topics.articles, settings.idle_timeout)
    checks: set[asyncio.Future[None]] = set()  # checks of the input asked by the ingest agent, until done

    @gp.app.agent(gp.topics["articles"], name="ingest")
    async def ingest(stream: StreamT[bytes]) -> AsyncIterator[None]:
        # take_events is faust-streaming's batch API; its StreamT stub does not declare it.
        batches = stream.take_events(settings.batch_size, within=settings.batch_timeout)  # type: ignore[attr-defined]
        async for events in batches:
            with or_stop(gp, batch_failed("ingest", events, "articles")):  # bad input is dead-lettered, not here
                watch_offsets(gp, events)
                greatest = await ingest_events(gp, ingestor, events, inputs.report())
                inputs.read(events, greatest)  # once their digests are with the producer (idleness.py)
                if inputs.at_fetched_end():  # a partition read to its end: say so now, not within the second
                    checks.add(check := asyncio.ensure_future(declare_inputs(gp, inputs)))
                    check.add_done_callback(checks.discard)
            yield None

    @gp.app.timer(IDLE_CHECK_INTERVAL, on_leader=False)  # type: ignore[untyped-decorator]
    async def declare_idle() -> None:
        await declare_inputs(gp, inputs)


def wire_count(gp: Geopulse) -> None:
    """The count agent: digests through each partition's tracker, its state in a changelogged table."""
    settings = gp.settings
    table = gp.app.Table(
        series_table(settings),
        partitions=settings.partitions,
        # PartitionStore writes JSON bytes itself (orjson), a journal record per flush (store.py);
        # faust picks a table's serializers from key_type and value_type (json unless bytes).
        value_type=bytes,
    )
    config = tracker_config(settings)
    decoder = DigestDecoder()

    def tracker_of(partition: int) -> tuple[IncidentTracker, PartitionStore]:
        if partition not in gp.state.trackers:
            gp.state.trackers[partition] = partition_tracker(config, table, partition, settings.partitions)
        return gp.state.trackers[partition]

    gp.state.tracker_of = tracker_of

    @gp.app.agent(gp.topics["digests"], name="count")
    async def count(stream: StreamT[bytes]) -> AsyncIterator[None]:
        # Digests that queued up are counted together: one wait for the broker's acks and one
        # journal record per partition, instead of one per digest (the costs that dominated when
        # ingest batches, and so digests, held a few articles each).
        batches = stream.take_events(settings.batch_size, within=COUNT_BATCH_TIMEOUT)  # type: ignore[attr-defined]
        async for events in batches:
            watch_offsets(gp, events)
            await count_or_stop(gp, decoder, tracker_of, events)
            yield None


def wire_lifecycle(gp: Geopulse) -> None:
    """Readiness follows rebalances (trackers are rebuilt from the table after one); health every few seconds."""
    app, state = gp.app, gp.state

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]  # faust types receivers as sync-or-Awaitable unions
    async def forget_trackers(sender: Any, *args: Any, **kwargs: Any) -> None:
        state.ready = False
        state.trackers.clear()
        state.offsets.forget()

    @app.on_rebalance_complete.connect  # type: ignore[arg-type]
    async def mark_ready(sender: Any, *args: Any, **kwargs: Any) -> None:
        state.ready = True

    @app.timer(health.INTERVAL, on_leader=False)  # type: ignore[untyped-decorator]
    async def observe_health() -> None:
        with or_stop(gp, lambda: "the health check failed", background=True):
            await health.observe_health(gp)

    @app.timer(LATE_LOG_INTERVAL, on_leader=False)  # type: ignore[untyped-decorator]
    async def log_late() -> None:
        with or_stop(gp, lambda: "the late articles' summary failed", background=True):
            if line := state.late.summary():
                log.warning("%s", line)
