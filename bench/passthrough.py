"""The ceiling for bench/pipeline.py: a bare faust agent that decodes JSON and forwards it.

One message at a time, as a faust agent is usually written: `async for event in stream`, decode
with orjson, encode, send to the output topic with the same key. No tagging, no state, no
batching — what faust itself costs per message on this machine. It uses geopulse's consumer
transport (a short fetch wait), so both sides see the same broker behaviour.

Run as a worker process by bench/pipeline.py; configured by environment variables:
BENCH_BOOTSTRAP, BENCH_APP_ID, BENCH_SOURCE, BENCH_SINK, BENCH_PARTITIONS, BENCH_WEB_PORT.

    python bench/passthrough.py
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import faust
import orjson
from faust.types import StreamT
from faust.web import Request, Response, View

from streams.worker.app import PRODUCER_MAX_BATCH_BYTES
from streams.worker.workarounds import QuickFetchTransport


def build(env: dict[str, str]) -> faust.App:
    partitions = int(env["BENCH_PARTITIONS"])
    app = faust.App(
        env["BENCH_APP_ID"],
        broker=f"kafka://{env['BENCH_BOOTSTRAP']}",
        store="memory://",
        datadir=env.get("BENCH_DATA_DIR", ".bench-passthrough"),
        topic_partitions=partitions,
        broker_session_timeout=6.0,
        broker_heartbeat_interval=0.5,
        broker_rebalance_timeout=6.0,
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer="raw",
        web_host="127.0.0.1",
        web_bind="127.0.0.1",
        web_port=int(env["BENCH_WEB_PORT"]),
        producer_linger_ms=5,  # as geopulse's worker
        producer_max_batch_size=PRODUCER_MAX_BATCH_BYTES,  # as geopulse's worker
        autodiscover=False,
    )
    app.transport = QuickFetchTransport(app.conf.broker_consumer, app)  # the same consumer settings as geopulse
    source = app.topic(env["BENCH_SOURCE"], key_type=bytes, value_type=bytes, partitions=partitions)
    sink = app.topic(env["BENCH_SINK"], key_type=bytes, value_type=bytes, partitions=partitions)
    ready = {"ready": False}

    @app.agent(source, name="forward")
    async def forward(stream: StreamT[bytes]) -> AsyncIterator[None]:
        async for event in stream.events():
            await sink.send(key=event.key, value=orjson.dumps(orjson.loads(event.value)))
            yield None

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def not_ready(sender: Any, *args: Any, **kwargs: Any) -> None:
        ready["ready"] = False

    @app.on_rebalance_complete.connect  # type: ignore[arg-type]
    async def mark_ready(sender: Any, *args: Any, **kwargs: Any) -> None:
        ready["ready"] = True

    @app.page("/ready")
    async def ready_view(self: View, request: Request) -> Response:
        return self.json(ready, status=200 if ready["ready"] else 503)

    return app


def main() -> None:
    app = build(dict(os.environ))
    faust.Worker(app, loglevel="WARNING", redirect_stdouts=False).execute_from_commandline()


if __name__ == "__main__":
    main()
