"""The worker's two stages as plain functions: a batch of records in; the records to send and the state to write out.

    articles ──ingest──▶ events, articles.dlq, geopulse.digests (one copy to every partition)
    geopulse.digests ──count──▶ counts, alerts; the trackers' stores hold the state to write

No faust and no broker here: the agents (streams/worker/agents.py) turn faust's events into these
records, send what comes back and write the state once the broker has acknowledged it, so every
stage is tested in-process (tests/worker/test_stages.py).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import zlib
from collections import Counter, OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas import Alert, DeadLetter, DigestBatch, InputReport, TaggedArticle, WindowCount
from streams.core.config import TrackerConfig
from streams.core.incidents import IncidentTracker
from streams.core.ingest import Ingestor, RawMessage
from streams.core.series import Observation
from streams.settings import TopicNames
from streams.worker.store import PartitionStore

Outgoing = tuple[str, bytes | None, bytes, int | None]  # topic, key, value, partition (None: by key)

MAX_DEAD_LETTER_BYTES = 1_000_000  # under the producer's and Kafka's default message limit (1 MiB)


def owner_partition(key: str, partitions: int) -> int:
    """The digests partition that owns a country's series (or an article's per-article metrics)."""
    return zlib.crc32(key.encode()) % partitions


@dataclass(frozen=True)
class Ingested:
    """What one ingest batch became: the messages to send, in order, and what they came from."""

    messages: list[Outgoing]
    dead: list[DeadLetter]
    tagged: list[tuple[TaggedArticle, float]]  # with the seconds its tagging took


def ingest(ingestor: Ingestor, records: list[RawMessage], topics: TopicNames, partitions: int,
           inputs: InputReport | None = None) -> Ingested:  # fmt: skip
    """Validate and tag `records`: dead letters, then events, then the batch's digests to every partition.

    The digests say which input partition each article came from and carry the reader's `inputs`
    report (streams/core/watermarks.py).
    """
    result = ingestor.ingest(records)
    out: list[Outgoing] = [(topics.articles_dlq, None, fitted(dead).to_json(), None) for dead in result.dead]
    out += [(topics.events, tagged.id.encode(), tagged.to_json(), None) for tagged in result.tagged]
    # Partitions interleave in a batch; event-time order keeps the count stage's view close to a replay's.
    ordered = sorted(zip(result.tagged, result.origins, strict=True), key=lambda pair: pair[0].published_at)
    digests = (
        DigestBatch.encode([t for t, _ in ordered], origins=[o for _, o in ordered], inputs=inputs) if ordered else []
    )
    for message in digests:
        out.extend((topics.digests, None, message, partition) for partition in range(partitions))
    return Ingested(out, result.dead, list(zip(result.tagged, result.tagging_seconds, strict=True)))


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


def partition_tracker(
    config: TrackerConfig, table: MutableMapping[str, Any], partition: int, partitions: int
) -> tuple[IncidentTracker, PartitionStore]:
    """The tracker of one digests partition over its store in `table`: it keeps the series of the countries it owns."""
    store = PartitionStore(table, partition)

    def owns(country: str) -> bool:
        return owner_partition(country, partitions) == partition

    return IncidentTracker(config, store=store, owns=owns), store


@dataclass
class Counted:
    """What one count batch produced: per partition, the newest count of each series window; the alerts."""

    counts: dict[int, dict[tuple[str, datetime], WindowCount]] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # articles by outcome, each on its owner partition
    late: list[tuple[str, int, str]] = field(default_factory=list)  # (outcome, lag, article id) behind stream time

    def take(self, observation: Observation, latest: dict[tuple[str, datetime], WindowCount], partition: int,
             partitions: int) -> None:  # fmt: skip
        """The newest count per (series, window) and every alert step of an observation; the outcomes of
        the articles it decided that `partition` owns (an article waiting for slower inputs is decided later)."""
        for c in observation.counts:
            latest[(c.key, c.window_start)] = c
        self.alerts.extend(observation.alerts)
        for article_id, outcome, lag in observation.decided:
            if owner_partition(article_id, partitions) == partition:
                self.outcomes[outcome] += 1
                if lag is not None:
                    self.late.append((outcome, lag, article_id))

    def messages(self, topics: TopicNames) -> list[Outgoing]:
        """The counts, then the alerts, keyed by series."""
        out: list[Outgoing] = [
            (topics.counts, c.key.encode(), c.to_json(), None) for p in self.counts for c in self.counts[p].values()
        ]
        return out + [(topics.alerts, a.key.encode(), a.to_json(), None) for a in self.alerts]


async def count(work: dict[int, tuple[IncidentTracker, list[DigestBatch]]], partitions: int) -> Counted:
    """Observe each partition's digests with its tracker (which changes its store, the state to write)."""
    counted = Counted()
    for partition, (tracker, batches) in work.items():
        latest = counted.counts[partition] = {}
        for batch in batches:
            if (report := batch.inputs) is not None:
                observation = tracker.report_inputs(report.partitions, report.assigned, report.idle,
                                                    report.caught_up, report.through)  # fmt: skip
                counted.take(observation, latest, partition, partitions)
            for article, origin in batch.sourced():
                counted.take(tracker.observe(article, origin), latest, partition, partitions)
            await asyncio.sleep(0)  # let the ingest agent in between digests (its latency is the product's)
    return counted
