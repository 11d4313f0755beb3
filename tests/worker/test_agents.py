"""The count agent's batch in-process: sent, acknowledged and written before it is measured.

The producer is an in-process fake whose acks succeed or fail (tests/integration runs the same
function against a real broker); the tracker, store, state and metrics are the worker's own.
"""

from __future__ import annotations

import asyncio
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from schemas import DigestBatch
from streams.errors import BrokerError
from streams.metrics import Metrics
from streams.settings import Settings, tracker_config
from streams.worker.agents import count_events
from streams.worker.stages import DigestDecoder, partition_tracker
from streams.worker.state import Geopulse, WorkerState
from tests.core.test_series import T0, make


@dataclass
class Producer:
    """faust's producer as `publish` calls it; every ack fails while `broken`."""

    broken: bool
    sent: list[tuple[str, bytes | None, bytes, int | None]] = field(default_factory=list)

    async def send(self, topic: str, key: bytes | None, value: bytes, partition: int | None, *_: Any) -> Any:
        ack = asyncio.get_running_loop().create_future()
        if self.broken:
            ack.set_exception(BrokerError("no ack"))
        else:
            self.sent.append((topic, key, value, partition))
            ack.set_result(None)
        return ack


@dataclass
class Event:
    """A faust event as the count agent reads it: its value and the partition it came from."""

    value: bytes
    message: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(partition=0, topic="digests", offset=0))


def counted_total(metrics: Metrics) -> float:
    return metrics.registry.get_sample_value("geopulse_articles_total", {"outcome": "counted"}) or 0.0


def run_batch(producer: Producer) -> tuple[Metrics, dict[str, Any]]:
    settings = Settings(partitions=1)
    table: dict[str, Any] = {}
    tracker = partition_tracker(tracker_config(settings), table, 0, 1)
    gp = Geopulse(settings, SimpleNamespace(producer=producer), Metrics(), WorkerState(), {})  # type: ignore[arg-type]
    articles = [make(n, T0 + timedelta(minutes=n)) for n in range(5)]
    events = [Event(value) for value in DigestBatch.encode(articles)]
    with pytest.raises(BrokerError) if producer.broken else nullcontext():
        asyncio.run(count_events(gp, DigestDecoder(), lambda partition: tracker, events))  # type: ignore[arg-type]
    return gp.metrics, table


def test_articles_are_measured_as_counted_once_their_counts_are_sent_and_written() -> None:
    metrics, table = run_batch(Producer(broken=False))
    assert counted_total(metrics) == 5 and table  # sent, acknowledged, written: measured


def test_a_batch_whose_sends_fail_is_not_measured() -> None:
    metrics, table = run_batch(Producer(broken=True))
    assert counted_total(metrics) == 0 and table == {}  # neither sent nor written: it will be read again
