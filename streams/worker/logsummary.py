"""Repeated warnings and errors summarised: the first of a kind is logged, the rest counted per interval.

While the broker is away, the Kafka clients log the same failure for every connection attempt of
every client, thousands of lines a minute. `RepeatSummary` is a logging filter (installed on the
worker's root handlers): per interval it lets through the first record of each kind (same logger,
level and message template) and counts the others; `flush()`, called on a timer, logs one line per
kind with the count. A kind that keeps repeating costs one line per interval instead of thousands.

>>> now = [0.0]
>>> summary = RepeatSummary(interval=10, clock=lambda: now[0])
>>> records = [logging.LogRecord("kafka", logging.ERROR, "", 0, "connect to %s failed", ("b1",), None)] * 500
>>> sum(summary.filter(logging.makeLogRecord(r.__dict__)) for r in records)
1
>>> now[0] = 10.0
>>> [line for _, line in summary.due()]
["499 more like 'connect to b1 failed' from kafka in the last 10s"]
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger("geopulse.logsummary")
Kind = tuple[str, int, str]


@dataclass
class _Window:
    started: float
    example: str
    suppressed: int = 0


class RepeatSummary(logging.Filter):
    """Lets one record of each kind through per `interval` seconds (WARNING and above); counts the rest."""

    def __init__(
        self, interval: float = 10.0, *, level: int = logging.WARNING, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        if interval <= 0:
            raise ValueError(f"interval must be > 0, got {interval}")
        self.interval, self.level, self._clock = interval, level, clock
        self._windows: dict[Kind, _Window] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        decided = getattr(record, "_summary_passes", None)
        if decided is not None:  # the same record through a second handler: the same answer
            return bool(decided)
        passes = self._decide(record)
        record._summary_passes = passes
        return passes

    def _decide(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level or record.name == log.name:
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        window = self._windows.get(kind)
        if window is not None and now - window.started < self.interval:
            window.suppressed += 1
            return False
        self._windows[kind] = _Window(now, _example(record))
        if window is not None and window.suppressed:
            # The interval is over but flush() has not run yet: the count rides on this record.
            record.msg = f"{record.msg} [and {window.suppressed} more like it in the last {self.interval:g}s]"
        return True

    def due(self) -> list[tuple[int, str]]:
        """(level, line) for each kind whose interval is over with records held back; those windows close."""
        now = self._clock()
        lines = []
        for kind, window in list(self._windows.items()):
            if now - window.started < self.interval:
                continue
            del self._windows[kind]
            if window.suppressed:
                lines.append((kind[1], f"{window.suppressed} more like {window.example!r} from {kind[0]} "
                                       f"in the last {self.interval:g}s"))  # fmt: skip
        return lines

    def flush(self) -> None:
        """Log the counts of every finished interval (call it every `interval` seconds or so)."""
        for level, line in self.due():
            log.log(level, "%s", line)

    def install(self, handlers: Iterable[logging.Handler]) -> None:
        """Filter what `handlers` write (handlers see every propagated record, loggers only their own)."""
        for handler in handlers:
            if self not in handler.filters:
                handler.addFilter(self)


def _example(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except (TypeError, ValueError):
        text = str(record.msg)
    return " ".join(text.split())[:200]
