"""Running a faust worker process for a built app."""

from __future__ import annotations

import faust

from streams.worker.state import Geopulse
from streams.worker.workarounds import quiet_worker, recover_to_the_real_end


def run_worker(gp: Geopulse, loglevel: str = "info") -> None:
    """Run until SIGTERM/SIGINT; faust commits offsets and flushes producers on the way out."""
    build_worker(gp, loglevel).execute_from_commandline()


def build_worker(gp: Geopulse, loglevel: str = "info") -> faust.Worker:
    """The faust worker for `gp`: table recovery reads changelogs to their real end, no spinner."""
    recover_to_the_real_end(gp.app.consumer, gp.settings)
    return quiet_worker(faust.Worker(gp.app, loglevel=loglevel.upper(), redirect_stdouts=False))
