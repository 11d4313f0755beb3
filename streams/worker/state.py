"""What a running worker holds: its faust app, topics, metrics, and the state its views report."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import faust

from schemas import Alert, WindowCount
from streams.core.incidents import IncidentTracker
from streams.core.lateness import LateArticles
from streams.core.offsets import OffsetWatch
from streams.metrics import Metrics
from streams.settings import Settings
from streams.worker.logsummary import RepeatSummary
from streams.worker.store import PartitionStore


@dataclass
class WorkerState:
    """What the web views report: readiness and the trackers of the assigned partitions."""

    ready: bool = False  # partitions assigned and recovered
    broker_up: bool = True  # `geopulse worker` reached the broker just before it started
    stopping: bool = False  # the worker decided to stop (lost its topics, or was told to)
    trackers: dict[int, tuple[IncidentTracker, PartitionStore]] = field(default_factory=dict)
    counts: dict[str, dict[datetime, WindowCount]] = field(default_factory=dict)  # newest windows per series
    swept: int | None = None  # the stale-series horizon, in windows, of the last full sweep
    offsets: OffsetWatch = field(default_factory=OffsetWatch)  # records the consumer skipped
    alerts: dict[str, Alert] = field(default_factory=dict)  # the last step published per open alert, by alert id
    tracker_of: Callable[[int], tuple[IncidentTracker, PartitionStore]] | None = None  # set by create_app
    late: LateArticles = field(default_factory=LateArticles)  # articles behind stream time, logged per interval

    def remember(self, count: WindowCount, keep: int = 48) -> None:
        """Keep the newest `keep` windows of each series for /api/counts."""
        windows = self.counts.setdefault(count.key, {})
        windows[count.window_start] = count
        if len(windows) > keep:
            del windows[min(windows)]

    def note(self, alert: Alert) -> None:
        """Keep the last step of each open alert for /api/alerts (top articles included)."""
        if alert.status == "resolved":
            self.alerts.pop(alert.alert_id, None)
        else:
            self.alerts[alert.alert_id] = alert

    def newest(self, key: str) -> WindowCount:
        """The newest window remembered of series `key`."""
        windows = self.counts[key]
        return windows[max(windows)]

    def drop_stale(self, touched: set[str], stream_time: int, window: timedelta) -> list[WindowCount]:
        """Forget the series quiet for two windows at `stream_time`; the newest count of each one dropped.

        Window ends are window-aligned, so the set of stale series can only grow when the horizon
        passes a window boundary: all series are swept then, and otherwise only those just `touched`.
        """
        horizon = datetime.fromtimestamp(stream_time, UTC) - 2 * window
        mark = math.ceil(horizon.timestamp() / window.total_seconds())
        keys = list(self.counts) if mark != self.swept else touched
        self.swept = mark
        dropped = []
        for key in keys:
            newest = self.newest(key)
            if newest.window_end < horizon:
                del self.counts[key]
                dropped.append(newest)
        return dropped


@dataclass
class Geopulse:
    """A configured faust app with its topics, table, metrics and state."""

    settings: Settings
    app: faust.App
    metrics: Metrics
    state: WorkerState
    topics: dict[str, faust.TopicT]
    background: set[asyncio.Future[None]] = field(default_factory=set)
    log_summary: RepeatSummary = field(default_factory=RepeatSummary)

    def ready(self) -> bool:
        """What /ready answers: assigned, broker up, and not on the way out (crashed or stopping)."""
        state = self.state
        return state.ready and state.broker_up and not state.stopping and not self.app.should_stop
