"""HTTP views of a worker: /health, /ready, /metrics and the JSON API, on faust's web server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faust.web import Request, Response, View

from streams.core.ingest import REASONS

if TYPE_CHECKING:
    import faust

    from streams.app import Geopulse


def register_views(gp: Geopulse, table: faust.Table) -> None:
    app, state = gp.app, gp.state

    @app.page("/health")
    async def health(self: View, request: Request) -> Response:
        return self.json({"status": "ok"})

    @app.page("/ready")
    async def ready(self: View, request: Request) -> Response:
        body: dict[str, Any] = {"ready": state.ready and state.broker_up, "broker_up": state.broker_up,
                                "rebalancing": bool(app.rebalancing)}  # fmt: skip
        return self.json(body, status=200 if body["ready"] else 503)

    @app.page("/metrics")
    async def metrics(self: View, request: Request) -> Response:
        gp.metrics.store_keys.set(len(table))
        return self.bytes(gp.metrics.exposition(), content_type="text/plain; version=0.0.4")

    @app.page("/api/dead-letter-reasons")
    async def reasons(self: View, request: Request) -> Response:
        return self.json({"reasons": list(REASONS)})
