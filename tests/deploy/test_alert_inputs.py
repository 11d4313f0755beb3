"""The series the alert rules read exist at 0 from a worker's start, as the promtool tests assume.

deploy/prometheus/tests/alerting_test.yml starts each labelled counter absent, then at 0, then
the first event; that only matches production if a worker exposes those label sets at 0 before
anything happened. Here a worker app is built as `geopulse worker` builds it (with a webhook
endpoint) and its exposition is read before any record is processed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from streams.notify import parse_config
from streams.notify.pending import DEAD_LETTER_REASONS
from streams.notify.retry import OUTCOME_LABELS
from streams.settings import Settings
from streams.worker.app import create_app
from tests.deploy.grafana import DEPLOY, RULES_DIR
from tests.notify.receivers import SECRET

RULE_TESTS = DEPLOY / "prometheus" / "tests" / "alerting_test.yml"
SCRAPE_LABELS = {"job", "instance"}  # added by Prometheus, not the worker
Series = tuple[str, frozenset[tuple[str, str]]]


class _Untagged:
    version = "none"


@pytest.fixture(scope="module")
def exposed() -> dict[Series, float]:
    """Every sample a freshly built worker exposes, by name and labels."""
    webhooks = parse_config({"endpoints": [{"name": "ops", "url": "https://ops.example/h", "secret_env": "S"}]},
                            {"S": SECRET})  # fmt: skip
    gp = create_app(Settings(kafka_bootstrap="127.0.0.1:9", app_id="inputs"), tagger=_Untagged(), webhooks=webhooks)
    text = gp.metrics.exposition().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def pre_set_inputs() -> list[Series]:
    """Input series of the rule tests that go from absent to 0: what the worker must expose at start."""
    found = []
    for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        for series in test["input_series"]:
            values = series["values"].split()
            first_value = next((v for v in values if not v.startswith("_")), "")
            if values[0].startswith("_") and first_value.startswith("0"):
                name, labels = parse_series(series["series"])
                if name != "up":
                    found.append((name, frozenset((k, v) for k, v in labels.items() if k not in SCRAPE_LABELS)))
    return found


def parse_series(text: str) -> tuple[str, dict[str, str]]:
    name, _, rest = text.partition("{")
    return name.strip(), dict(re.findall(r'(\w+)="([^"]*)"', rest))


@pytest.mark.parametrize("series", pre_set_inputs(), ids=lambda s: f"{s[0]}{dict(s[1])}")
def test_every_series_the_rule_tests_start_at_0_is_exposed_at_0_from_start_up(
    series: Series, exposed: dict[Series, float]
) -> None:
    assert exposed.get(series) == 0, f"{series} is not exposed at 0 before any event"


def test_the_rule_tests_cover_the_webhook_dead_letters_and_skipped_offsets() -> None:
    names = {name for name, _ in pre_set_inputs()}
    assert {"geopulse_dead_letters_total", "geopulse_offsets_skipped_total", "geopulse_webhook_deliveries_total",
            "geopulse_articles_total"} <= names  # fmt: skip


def test_every_webhook_dead_letter_reason_and_delivery_outcome_starts_at_0(exposed: dict[Series, float]) -> None:
    for reason in DEAD_LETTER_REASONS:
        assert exposed.get(("geopulse_dead_letters_total", frozenset({("topic", "webhooks.dlq"), ("reason", reason)})))\
            == 0, reason  # fmt: skip
    for outcome in OUTCOME_LABELS:
        assert exposed.get(("geopulse_webhook_deliveries_total",
                            frozenset({("endpoint", "ops"), ("outcome", outcome)}))) == 0, outcome  # fmt: skip
    for topic in ("articles", "geopulse.digests"):
        assert exposed.get(("geopulse_offsets_skipped_total", frozenset({("topic", topic)}))) == 0, topic
    assert exposed.get(("geopulse_window_volume", frozenset())) == 0


def alert_rules() -> list[dict[str, Any]]:
    return [r for g in yaml.safe_load((RULES_DIR / "alerting.yml").read_text())["groups"] for r in g["rules"]]


def test_every_alert_rule_has_a_promtool_case_where_it_fires() -> None:
    fired = {
        case["alertname"]
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {rule["alert"] for rule in alert_rules()} <= fired


def test_every_labelled_geopulse_series_an_alert_reads_exists_at_start_up(exposed: dict[Series, float]) -> None:
    """Each selector in an alert (or the recording rules it reads) matches a series before any event."""
    recording = {r["record"]: r["expr"] for g in yaml.safe_load((RULES_DIR / "recording.yml").read_text())["groups"]
                 for r in g["rules"]}  # fmt: skip
    selectors = set()
    for rule in alert_rules():
        exprs = [rule["expr"], *(expr for name, expr in recording.items() if name in rule["expr"])]
        for expr in exprs:
            selectors |= set(re.findall(r"(?<![\w:])(geopulse_\w+)(?![\w:])(\{[^}]*\})?", expr))
    gauges_set_later = {"geopulse_consumer_lag_messages"}  # per assigned partition, set on assignment
    for name, matchers in sorted(selectors):
        if name in gauges_set_later:
            continue
        wanted = re.findall(r'(\w+)(=~|!~|=|!=)"([^"]*)"', matchers)
        matching = [
            labels
            for (sample, labels) in exposed
            if sample in (name, f"{name}_bucket")
            and all(_matches(dict(labels).get(k, ""), op, v) for k, op, v in wanted)
        ]
        assert matching, f"{name}{matchers} has no series at start-up"


def _matches(value: str, op: str, pattern: str) -> bool:
    hit = value == pattern if op in ("=", "!=") else re.fullmatch(pattern, value) is not None
    return hit if op in ("=", "=~") else not hit
