"""Wiring webhook delivery into the worker: a Kafka journal for pending deliveries, and restore.

Pending deliveries live in the compacted `webhooks.retry` topic (key: endpoint|delivery id; a
tombstone when the delivery is over), so they survive a restart. When a worker is assigned
partitions of `alerts`, it takes back the pending deliveries of the alerts it now owns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from kafka.partitioner.default import murmur2

from streams.metrics import Metrics
from streams.notify import DeliveryResult, PendingDelivery
from streams.settings import Settings

log = logging.getLogger(__name__)


def partition_of(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives `key` (murmur2, as the Java client and aiokafka)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % partitions


class KafkaJournal:
    """The Notifier's journal: pending deliveries to `webhooks.retry`, given-up ones to `webhooks.dlq`."""

    def __init__(self, retry_topic: Any, dlq_topic: Any, metrics: Metrics, dlq_name: str) -> None:
        self._retry, self._dlq, self._metrics, self._dlq_name = retry_topic, dlq_topic, metrics, dlq_name

    async def scheduled(self, pending: PendingDelivery) -> None:
        await self._retry.send(key=pending.key.encode(), value=pending.to_json())

    async def finished(self, result: DeliveryResult) -> None:
        await self._retry.send(key=result.key.encode(), value=None)
        dead = result.dead_letter
        if dead is not None:
            self._metrics.dead_letters.labels(self._dlq_name, dead.error_kind).inc()
            log.warning("webhook delivery %s to %s gave up: %s", result.delivery_id, result.endpoint, dead.error)
            await self._dlq.send(key=result.delivery_id.encode(), value=dead.to_json())


def live_pendings(records: Iterable[tuple[bytes | None, bytes | None]]) -> list[PendingDelivery]:
    """The deliveries still pending after reading a compacted journal in order (last value per key wins)."""
    latest: dict[bytes, bytes] = {}
    for key, value in records:
        if key is None:
            continue
        if value is None:
            latest.pop(key, None)
        else:
            latest[key] = value
    return [PendingDelivery.model_validate_json(v) for v in latest.values()]


def pendings_for(settings: Settings, alert_partitions: set[int]) -> list[PendingDelivery]:
    """Pending deliveries of the alerts in `alert_partitions`, read from `webhooks.retry` (blocking)."""
    from streams.clients import read_to_end

    records = read_to_end(settings, settings.topics.webhooks_retry)
    return [p for p in live_pendings(records) if partition_of(p.alert.key, settings.partitions) in alert_partitions]
