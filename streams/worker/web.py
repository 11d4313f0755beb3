"""HTTP views of a worker: /health, /ready, /metrics and the JSON API, on faust's web server."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from faust.web import Request, Response, View

from streams.core.ingest import REASONS
from streams.worker.state import Geopulse


def register_views(gp: Geopulse) -> None:
    app, state = gp.app, gp.state

    @app.page("/health")
    async def health(self: View, request: Request) -> Response:
        return self.json({"status": "ok"})

    @app.page("/ready")
    async def ready(self: View, request: Request) -> Response:
        body: dict[str, Any] = {"ready": gp.ready(), "broker_up": state.broker_up, "stopping": state.stopping,
                                "rebalancing": bool(app.rebalancing)}  # fmt: skip
        return self.json(body, status=200 if body["ready"] else 503)

    @app.page("/metrics")
    async def metrics(self: View, request: Request) -> Response:
        stores = [store for _, store in state.trackers.values()]
        gp.metrics.broker(state.broker_up)  # what /ready says at this moment
        open_alerts = sum(tracker.open_alerts() for tracker, _ in state.trackers.values())
        gp.metrics.scraped(state_keys=sum(map(len, stores)), tasks=len(asyncio.all_tasks()), open_alerts=open_alerts)
        return self.bytes(gp.metrics.exposition(), content_type="text/plain; version=0.0.4")

    @app.page("/api/counts")
    async def counts(self: View, request: Request) -> Response:
        """Windows of one series (?country=KAZ&topic=unrest), or the series this worker holds."""
        country, topic = request.query.get("country"), request.query.get("topic")
        if not country or not topic:
            return self.json({"series": sorted(state.counts)})
        windows = state.counts.get(f"{country.upper()}|{topic}", {})
        return self.json({"country": country.upper(), "topic": topic,
                          "windows": [orjson.loads(c.to_json()) for _, c in sorted(windows.items())]})  # fmt: skip

    @app.page("/api/dead-letter-reasons")
    async def reasons(self: View, request: Request) -> Response:
        return self.json({"reasons": list(REASONS)})
