"""promtool on the Prometheus config and rules under deploy/, and rules' names and labels."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.grafana import DEPLOY, RULES_DIR
from tests.deploy.prometheus_server import MISSING, PROMTOOL

CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
RULE_FILES = sorted(RULES_DIR.glob("*.yml"))
ALERTS = [r for g in yaml.safe_load((RULES_DIR / "alerting.yml").read_text())["groups"] for r in g["rules"]]
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason=MISSING)


def promtool(*args: str | Path) -> str:
    assert PROMTOOL is not None
    done = subprocess.run([PROMTOOL, *map(str, args)], capture_output=True, timeout=60, check=False)
    output = (done.stdout + done.stderr).decode()
    assert done.returncode == 0, output
    return output


@needs_promtool
def test_promtool_accepts_the_config_and_finds_its_rule_files() -> None:
    assert "SUCCESS: 2 rule files found" in promtool("check", "config", CONFIG)


@needs_promtool
@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_promtool_accepts_the_rules(path: Path) -> None:
    assert "SUCCESS" in promtool("check", "rules", path)


def test_config_loads_every_rule_file_in_the_rules_folder() -> None:
    config = yaml.safe_load(CONFIG.read_text())
    assert sorted(CONFIG.parent / f for f in config["rule_files"]) == RULE_FILES


@pytest.mark.parametrize("alert", ["GeopulseWorkerDown", "GeopulseDeadLetterRateHigh", "GeopulseWebhookFailures",
                                   "GeopulseConsumerLagHigh", "GeopulseNoArticlesProcessed",
                                   "GeopulseRecordsSkipped"])  # fmt: skip
def test_the_alerts_the_issue_asks_for_exist_with_severity_and_summary(alert: str) -> None:
    [rule] = [r for r in ALERTS if r["alert"] == alert]
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]


@needs_promtool
def test_alerting_rules_fire_on_promtools_scripted_series() -> None:
    """deploy/prometheus/tests: worker down, lag (changelogs left out), dead letters, webhook failures."""
    assert "SUCCESS" in promtool("test", "rules", DEPLOY / "prometheus" / "tests" / "alerting_test.yml")
