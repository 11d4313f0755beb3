"""Grafana provisioning and dashboards: valid JSON, a PromQL expr on every panel, the provisioned datasource."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
import yaml

from tests.deploy.grafana import DEPLOY, dashboards, datasource_uids, panel_queries, panels, substitute

BOARDS = dashboards()
REQUIRED = {"spikes-overview", "pipeline-health", "delivery-health"}


def test_the_three_dashboards_exist_with_unique_uids() -> None:
    assert BOARDS.keys() >= REQUIRED
    uids = [b["uid"] for b in BOARDS.values()]
    assert len(uids) == len(set(uids))


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_dashboard_is_a_grafana_model_with_panels_on_the_grid(name: str) -> None:
    board = BOARDS[name]
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    assert board["title"] and board["panels"]
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["h"] > 0


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_every_panel_queries_prometheus_through_the_provisioned_datasource(name: str) -> None:
    uids = datasource_uids()
    for panel in panels(BOARDS[name]):
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] in uids, panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), (panel["title"], target["refId"])
            assert target.get("datasource", panel["datasource"])["uid"] in uids
    for variable in BOARDS[name]["templating"]["list"]:
        assert variable["datasource"]["uid"] in uids


def test_every_expression_uses_only_known_variables() -> None:
    for query in panel_queries():
        assert "$" not in substitute(query.expr), query.id


def test_the_spikes_overview_shows_top_series_and_the_alert_timeline() -> None:
    exprs = " ".join(q.expr for q in panel_queries() if q.dashboard == "spikes-overview")
    assert "topk(" in exprs and "geopulse_window_stories" in exprs and "geopulse_alerts_total" in exprs


@pytest.mark.parametrize(("board", "metrics"), [
    ("pipeline-health", ["geopulse_articles_total", "_latency_seconds_bucket", "geopulse_consumer_lag_messages",
                         "geopulse_dead_letters_total"]),
    ("delivery-health", ["geopulse_webhook_deliveries_total", "geopulse_webhook_delivery_duration_seconds_bucket"]),
])  # fmt: skip
def test_health_dashboards_cover_their_metrics(board: str, metrics: list[str]) -> None:
    exprs = " ".join(q.expr for q in panel_queries() if q.dashboard == board)
    assert all(m in exprs for m in metrics)


def test_the_dashboards_are_what_the_generator_writes() -> None:
    """deploy/grafana/generate.py (grafana-foundation-sdk) is the source; the JSON files are its output."""
    spec = importlib.util.spec_from_file_location("generate_dashboards", DEPLOY / "grafana" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    written = generate.rendered()
    assert set(written) == {f"{name}.json" for name in BOARDS}
    for name, text in written.items():
        stored = (DEPLOY / "grafana" / "dashboards" / name).read_text(encoding="utf-8")
        assert stored == text, f"{name} is stale: run python deploy/grafana/generate.py"


def test_dashboard_provider_points_at_the_dashboards_folder_mounted_by_compose() -> None:
    provider: dict[str, Any] = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/geopulse.yml").read_text())
    [entry] = provider["providers"]
    assert entry["type"] == "file" and entry["options"]["path"] == "/var/lib/grafana/dashboards"
    [source] = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
