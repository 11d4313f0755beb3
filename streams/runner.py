"""Running a faust worker process for a built app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import faust
from faust.types import TP
from kafka.errors import KafkaError

from streams.app import Geopulse
from streams.clients import end_offsets

log = logging.getLogger(__name__)


def run_worker(gp: Geopulse, loglevel: str = "info") -> None:
    """Run until SIGTERM/SIGINT; faust commits offsets and flushes producers on the way out."""
    build_worker(gp, loglevel).execute_from_commandline()


def build_worker(gp: Geopulse, loglevel: str = "info") -> faust.Worker:
    """The faust worker for `gp`: table recovery reads changelogs to their real end, no spinner."""
    recover_to_the_real_end(gp)
    from streams.shutdown import GeopulseWorker

    worker = GeopulseWorker(gp, loglevel=loglevel.upper(), redirect_stdouts=False)
    # At WARNING and above faust keeps its terminal spinner, which sets the root logger to DEBUG
    # (every library's debug records are then built, only to be dropped by the handler).
    worker.spinner = None
    return worker


def recover_to_the_real_end(gp: Geopulse) -> None:
    """Make faust's table recovery read each changelog partition to its real end.

    Recovery replays a changelog partition, from its start, up to the end offset the broker lists.
    tansu 0.6.0 lists less than the real end when the partition's last batch holds several records,
    the usual case (a digest's state changes are flushed together). The replay then turned the keys
    of the last flush back to their previous values in the copy the worker already held (a standby
    or its own partition), and as that digest's offset was committed, its articles were lost from
    the counts for good. The end now comes from a fetch response's high watermark.
    """
    consumer = gp.app.consumer
    listed = consumer.highwaters

    async def highwaters(*partitions: TP) -> Mapping[TP, int]:
        reported = await listed(*partitions)
        try:
            fetched = await asyncio.to_thread(end_offsets, gp.settings, partitions)
        except (KafkaError, OSError, TimeoutError) as exc:  # recover as faust would, rather than crash
            log.warning("changelog end offsets not confirmed by a fetch (%r); using the listed ones", exc)
            return reported
        return {tp: max(reported.get(tp) or 0, fetched.get(tp, 0)) for tp in partitions}

    consumer.highwaters = highwaters  # type: ignore[method-assign]
