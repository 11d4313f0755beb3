"""A worker that says where it serves and stops promptly when its broker is gone.

With the broker down, faust waited 60 s on a consumer thread that had already died, then for acks
and a producer flush that could never come. `GeopulseWorker` stops within seconds then (there is
nothing to commit to a broker that is gone; records after the last commit are read again on the
next start, as after a crash). Repeated client errors meanwhile are summarised by `logsummary`.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import faust

from streams.worker.state import Geopulse

log = logging.getLogger(__name__)

UNREACHABLE_STOP_SECONDS = 3.0  # how long to wait for the consumer thread when the broker is gone
UNREACHABLE_EXIT_SECONDS = 10.0  # how long to let faust stop by itself then


class GeopulseWorker(faust.Worker):
    """faust's worker, saying its HTTP address when ready, and stopping promptly without a broker."""

    def __init__(self, gp: Geopulse, *args: Any, **kwargs: Any) -> None:
        super().__init__(gp.app, *args, **kwargs)
        self.gp = gp

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
