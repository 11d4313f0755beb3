"""Webhook delivery in the worker: the notify agent, a Kafka journal for pending deliveries, and restore.

Pending deliveries live in the compacted `webhooks.retry` topic (key: endpoint|delivery id; a
tombstone when the delivery is over), so they survive a restart. When a worker is assigned
partitions of `alerts`, it takes back the pending deliveries of the alerts it now owns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any

from faust.types import StreamT
from kafka.partitioner.default import murmur2
from pydantic import ValidationError

from schemas import Alert, DeadLetter
from streams.core.ingest import summarize
from streams.metrics import Metrics
from streams.notify import AiohttpTransport, DeliveryResult, Notifier, PendingDelivery, WebhookConfig
from streams.notify.pending import INVALID_ALERT
from streams.settings import Settings
from streams.worker.agents import or_stop
from streams.worker.clients import read_to_end
from streams.worker.state import Geopulse

log = logging.getLogger(__name__)


def wire_notifier(gp: Geopulse, webhooks: WebhookConfig) -> None:
    """The notify agent: alerts → Notifier, pending deliveries journaled to `webhooks.retry`."""
    app, names, metrics = gp.app, gp.settings.topics, gp.metrics
    transport = AiohttpTransport()
    journal = KafkaJournal(gp.topics["webhooks_retry"], gp.topics["webhooks_dlq"], metrics, names.webhooks_dlq)

    notifier = Notifier(webhooks.endpoints, transport, journal=journal, observer=metrics.delivered)

    @app.agent(gp.topics["alerts"], name="notify")
    async def notify(stream: StreamT[bytes]) -> AsyncIterator[None]:
        await notifier.start()
        async for event in stream.events():
            # a record that is no Alert is dead-lettered; anything else that fails stops the worker (agents.py)
            alert = await journal.decode(event.key, event.value, event.message)
            if alert is not None:
                await notifier.submit(alert)
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
        # a task nobody awaits: a failure would leave the deliveries pending in the journal, unsent
        failed = f"restoring the pending webhook deliveries of alerts{sorted(partitions)} failed"
        with or_stop(gp, lambda: failed, background=True):
            pendings = await asyncio.to_thread(pendings_for, gp.settings, partitions)
            log.info("restoring %d pending webhook deliveries", len(pendings))
            await notifier.restore(pendings)

    @app.on_before_shutdown.connect  # type: ignore[arg-type]
    async def stop_notifier(sender: Any, *args: Any, **kwargs: Any) -> None:
        await notifier.close()
        await transport.close()


def partition_of(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives `key` (murmur2, as the Java client and aiokafka)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % partitions


class KafkaJournal:
    """The Notifier's journal: pending deliveries to `webhooks.retry`, given-up ones to `webhooks.dlq`."""

    def __init__(self, retry_topic: Any, dlq_topic: Any, metrics: Metrics, dlq_name: str) -> None:
        self._retry, self._dlq, self._metrics, self._dlq_name = retry_topic, dlq_topic, metrics, dlq_name

    async def scheduled(self, pending: PendingDelivery) -> None:
        await self._retry.send(key=pending.key.encode(), value=pending.to_json())

    async def decode(self, key: bytes | None, value: bytes | None, message: Any) -> Alert | None:
        """The Alert in an `alerts` record, or None once a record that is none is dead-lettered (its bytes, why)."""
        raw = b"" if value is None else value
        try:
            return Alert.model_validate_json(raw)
        except ValidationError as exc:
            reason = f"not an Alert: {summarize(exc)}"
            dead = DeadLetter.from_error(raw, key=key, topic=message.topic, partition=message.partition,
                                         offset=message.offset, stage="notify", kind=INVALID_ALERT, error=reason,
                                         at=datetime.now(UTC))  # fmt: skip
        self._metrics.dead_lettered(self._dlq_name, INVALID_ALERT)
        log.warning("dead letter from %s[%s]@%s: %s", message.topic, message.partition, message.offset, reason)
        await self._dlq.send(key=key, value=dead.to_json())
        return None

    async def finished(self, result: DeliveryResult) -> None:
        await self._retry.send(key=result.key.encode(), value=None)
        dead = result.dead_letter
        if dead is not None:
            self._metrics.dead_lettered(self._dlq_name, dead.error_kind)
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
    records = read_to_end(settings, settings.topics.webhooks_retry)
    return [p for p in live_pendings(records) if partition_of(p.alert.key, settings.partitions) in alert_partitions]
