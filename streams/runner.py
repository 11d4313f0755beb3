"""Running a faust worker process for a built app."""

from __future__ import annotations

import faust

from streams.app import Geopulse


def run_worker(gp: Geopulse, loglevel: str = "info") -> None:
    """Run until SIGTERM/SIGINT; faust commits offsets and flushes producers on the way out."""
    worker = faust.Worker(gp.app, loglevel=loglevel.upper(), redirect_stdouts=False)
    worker.execute_from_commandline()
