"""Running a faust worker process for a built app."""

from __future__ import annotations

import logging

import faust

from streams.worker.logsummary import RepeatSummary
from streams.worker.state import Geopulse
from streams.worker.workarounds import GeopulseWorker, quiet_worker, recover_to_the_real_end


def run_worker(gp: Geopulse, loglevel: str = "info") -> None:
    """Run until SIGTERM/SIGINT; faust commits offsets and flushes producers on the way out."""
    build_worker(gp, loglevel).execute_from_commandline()


def build_worker(gp: Geopulse, loglevel: str = "info") -> faust.Worker:
    """The faust worker for `gp`: table recovery reads changelogs to their real end, no spinner."""
    recover_to_the_real_end(gp.app.consumer, gp.settings)
    worker = quiet_worker(GeopulseWorker(gp, loglevel=loglevel.upper(), redirect_stdouts=False))
    summarise_repeats(worker, gp.log_summary)
    return worker


def summarise_repeats(worker: faust.Worker, summary: RepeatSummary) -> None:
    """Once faust has set up the root logger, its repeated warnings and errors go through `summary`."""
    setup = worker.on_setup_root_logger

    def setup_and_summarise(logger: logging.Logger, level: int) -> None:
        setup(logger, level)
        summary.install(logger.handlers)

    worker.on_setup_root_logger = setup_and_summarise  # type: ignore[method-assign]
