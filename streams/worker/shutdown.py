"""A worker that says where it serves, stops promptly, and does not flood its log while the broker is away.

With the broker down, Kafka clients log every reconnect attempt (aiokafka ~6 ERROR lines a second),
and faust waited 60 s on a consumer thread that had already died before it exited. `RepeatFilter`
lets the first line of a kind through and then one line with a count every `every` seconds;
`GeopulseWorker` stops within seconds when the broker is unreachable (there is nothing to commit
to it; records after the last commit are read again on the next start, as after a crash).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import faust

from streams.worker.state import Geopulse

log = logging.getLogger(__name__)

CLIENT_LOGGERS = ("aiokafka", "kafka")
UNREACHABLE_STOP_SECONDS = 3.0  # how long to wait for the consumer thread when the broker is gone
UNREACHABLE_EXIT_SECONDS = 10.0  # how long to let faust stop by itself then


class RepeatFilter(logging.Filter):
    """Passes the first client WARNING/ERROR of each kind, then one per `every` seconds with a count.

    A kind is the logger and the message template, so "Unable connect to node %s" is one kind
    whatever the node. Records of other loggers, and below WARNING, always pass.

    >>> now = [0.0]
    >>> f = RepeatFilter(every=30.0, clock=lambda: now[0])
    >>> def rec(): return logging.LogRecord("aiokafka.client", logging.ERROR, "", 0, "down %s", (1,), None)
    >>> [f.filter(rec()) for _ in range(3)]
    [True, False, False]
    >>> now[0] = 31.0
    >>> r = rec(); f.filter(r), r.getMessage()
    (True, 'down 1 (2 more like it in 31s)')
    """

    def __init__(self, every: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every, self._clock = every, clock
        self._kinds: dict[tuple[str, str], tuple[float, int]] = {}  # kind -> (last passed at, held since)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not record.name.startswith(CLIENT_LOGGERS):
            return True
        kind, now = (record.name, str(record.msg)), self._clock()
        passed, held = self._kinds.get(kind, (None, 0))
        if passed is not None and now - passed < self.every:
            self._kinds[kind] = (passed, held + 1)
            return False
        if passed is not None and held:
            record.msg = f"{record.msg} ({held} more like it in {now - passed:.0f}s)"
        self._kinds[kind] = (now, 0)
        return True


class GeopulseWorker(faust.Worker):
    """faust's worker, with the repeat filter on its log, its HTTP address said, and a prompt stop."""

    def __init__(self, gp: Geopulse, *args: Any, **kwargs: Any) -> None:
        super().__init__(gp.app, *args, **kwargs)
        self.gp = gp

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        super().on_setup_root_logger(logger, level)
        repeats = RepeatFilter()
        for handler in logger.handlers:
            handler.addFilter(repeats)

    async def on_startup_finished(self) -> None:
        await super().on_startup_finished()
        s = self.gp.settings
        log.info("HTTP on http://%s:%s: /health /ready /metrics /api/counts /api/alerts", s.web_host, s.web_port)

    def _on_sigint(self) -> None:
        self._stop_soon_if_unreachable()
        super()._on_sigint()

    def _on_sigterm(self) -> None:
        self._stop_soon_if_unreachable()
        super()._on_sigterm()

    def _stop_soon_if_unreachable(self) -> None:
        """Stop without waiting on a broker that is gone: for acks of sends in flight, for a commit."""
        if self.gp.state.broker_up or self._signal_stop_time:
            return
        log.warning("stopping while the broker is unreachable: records since the last commit are read again")
        self.gp.app.conf.stream_wait_empty = False  # sends in flight can never be acked: do not wait for them
        thread = getattr(self.gp.app.consumer, "_thread", None)
        if thread is not None:
            thread.shutdown_timeout = UNREACHABLE_STOP_SECONDS
        give_up = threading.Timer(UNREACHABLE_EXIT_SECONDS, _exit_unflushed)
        give_up.daemon = True
        give_up.start()


def _exit_unflushed() -> None:
    """The last resort: the producer still waits for the broker to flush sends it cannot take."""
    log.warning("broker still unreachable after %.0fs: exiting without flushing", UNREACHABLE_EXIT_SECONDS)
    logging.shutdown()
    os._exit(1)
