"""The PromQL of the Grafana dashboards under deploy/, with Grafana's variables substituted."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DASHBOARD_DIR = DEPLOY / "grafana" / "dashboards"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
RULES_DIR = DEPLOY / "prometheus" / "rules"

# What Grafana would put in for its built-in and dashboard variables, for a 1 s scrape interval.
VARIABLES = {"__rate_interval": "1m", "__interval": "15s", "__range": "1h", "job": "geopulse", "instance": ".+"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")


@dataclass(frozen=True)
class PanelQuery:
    """One target of one dashboard panel."""

    dashboard: str
    panel: str
    ref: str
    expr: str

    @property
    def id(self) -> str:
        return f"{self.dashboard}/{self.panel}/{self.ref}"

    @property
    def needs_webhooks(self) -> bool:
        """Webhook series exist only once the worker has attempted a delivery."""
        return "geopulse_webhook_" in self.expr or "webhooks" in self.expr

    def promql(self, variables: dict[str, str] = VARIABLES) -> str:
        return substitute(self.expr, variables)


def substitute(expr: str, variables: dict[str, str] = VARIABLES) -> str:
    """`expr` with `$name` and `${name}` replaced; an unknown variable is a KeyError naming it."""
    return _VARIABLE.sub(lambda m: variables[m.group(1) or m.group(2)], expr)


def dashboards() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(DASHBOARD_DIR.glob("*.json"))}


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, rows' nested panels included, rows themselves left out."""
    out: list[dict[str, Any]] = []
    for panel in dashboard.get("panels", []):
        out.extend(p for p in [panel, *panel.get("panels", [])] if p.get("type") != "row")
    return out


def panel_queries() -> list[PanelQuery]:
    return [
        PanelQuery(name, panel["title"], target["refId"], target["expr"])
        for name, board in dashboards().items()
        for panel in panels(board)
        for target in panel.get("targets", [])
    ]


def datasource_uids() -> set[str]:
    return {ds["uid"] for ds in yaml.safe_load(DATASOURCES.read_text())["datasources"]}


def recording_rules() -> list[str]:
    return [
        rule["record"]
        for group in yaml.safe_load((RULES_DIR / "recording.yml").read_text())["groups"]
        for rule in group["rules"]
    ]
