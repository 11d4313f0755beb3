"""What a running worker holds: its faust app, topics, metrics, and the state its views report."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

import faust

from schemas import WindowCount
from streams.core.offsets import OffsetWatch
from streams.core.series import SeriesTracker
from streams.metrics import Metrics
from streams.settings import Settings
from streams.worker.store import PartitionStore


@dataclass
class WorkerState:
    """What the web views report: readiness and the trackers of the assigned partitions."""

    ready: bool = False
    broker_up: bool = True
    trackers: dict[int, tuple[SeriesTracker, PartitionStore]] = field(default_factory=dict)
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
