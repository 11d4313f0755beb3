"""HTTP views of a worker: /health, /ready, /metrics and the JSON API, on faust's web server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import orjson
from faust.web import Request, Response, View

from streams.core.alerts import rank
from streams.core.incidents import OpenIncident
from streams.core.ingest import REASONS
from streams.core.keys import SeriesKey
from streams.worker.state import Geopulse, WorkerState


def open_alerts(state: WorkerState) -> list[dict[str, Any]]:
    """Each open alert as its last published step (Alert JSON, top articles included), worst first.

    The partition stores say which alerts are open; the step itself is kept in memory, so an alert
    opened before this worker took its series (a restart, a rebalance) shows its episode only
    (`top_articles` empty, `summary` null) until its next step.
    """
    found = []
    for tracker, _ in state.trackers.values():
        for alert_id, incident in tracker.open_incidents().items():
            step = state.alerts.get(alert_id)
            if step is not None:
                found.append(orjson.loads(step.to_json()))
            else:
                found.append(_episode_only(incident))
    return sorted(found, key=lambda a: (-rank(a["severity"]), -a["observed"], a["country"], a["topic"]))


def _episode_only(incident: OpenIncident) -> dict[str, Any]:
    country, topic, episode, window_end = incident
    return {"alert_id": episode.id, "revision": episode.revision, "status": "update" if episode.revision else "open",
            "country": country, "topic": topic, "severity": episode.severity, "observed": episode.observed,
            "window_start": _iso(episode.window), "window_end": _iso(window_end),
            "first_seen": _iso(episode.first_seen), "summary": None, "top_articles": []}  # fmt: skip


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _series_filter(request: Request) -> tuple[str | None, str | None]:
    country, topic = request.query.get("country"), request.query.get("topic")
    return (country.upper() if country else None), (topic or None)


def _matches(key: str, country: str | None, topic: str | None) -> bool:
    series_country, series_topic = SeriesKey.parse(key)
    return (country is None or series_country == country) and (topic is None or series_topic == topic)


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
        """Windows of one series (?country=KAZ&topic=unrest), or the series this worker holds (either filter)."""
        country, topic = _series_filter(request)
        if not country or not topic:
            return self.json({"series": sorted(k for k in state.counts if _matches(k, country, topic))})
        windows = state.counts.get(str(SeriesKey(country, topic)), {})
        return self.json({"country": country, "topic": topic,
                          "windows": [orjson.loads(c.to_json()) for _, c in sorted(windows.items())]})  # fmt: skip

    @app.page("/api/alerts")
    async def alerts(self: View, request: Request) -> Response:
        """Open alerts of the series this worker owns (?country=, ?topic= filter), worst first."""
        country, topic = _series_filter(request)
        # After a restart no digest may have built the trackers yet; build them only once the table
        # is recovered (ready), or a tracker cached from a half-recovered table would later write
        # that state back.
        if state.tracker_of is not None and state.ready:
            for tp in app.assignor.assigned_actives():
                if tp.topic == gp.settings.topics.digests:
                    state.tracker_of(tp.partition)
        found = [a for a in open_alerts(state) if _matches(str(SeriesKey(a["country"], a["topic"])), country, topic)]
        return self.json({"alerts": found})

    @app.page("/api/dead-letter-reasons")
    async def reasons(self: View, request: Request) -> Response:
        return self.json({"reasons": list(REASONS)})
