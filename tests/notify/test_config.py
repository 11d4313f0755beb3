"""Endpoint config files (YAML and JSON), secrets from an injected environment, filters, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from streams.errors import ConfigError
from streams.notify.config import Filters, load_config, parse_config
from tests.notify.receivers import OLD_SECRET, SECRET, make_alert

YAML = """
endpoints:
  - name: ops
    url: https://alerts.example.org/geopulse
    secret_env: OPS_SECRET
    filters: {countries: [kaz, KGZ], topics: [unrest], min_severity: medium, statuses: [open, update]}
    timeout: 5
    max_attempts: 4
    retry: {waits: [1s, 30s, 10m], jitter: 0.2, retry_after_max: 2h}
  - name: chat
    url: https://hooks.slack.example/services/T0/B0/X
    format: slack
  - name: sidecar
    url: http://127.0.0.1:9000/hook
    secret_env: [NEW_SECRET, OLD_SECRET]
    internal: true
"""
ENV = {"OPS_SECRET": SECRET, "NEW_SECRET": SECRET, "OLD_SECRET": OLD_SECRET}


def test_yaml_file_with_every_option(tmp_path: Path) -> None:
    path = tmp_path / "webhooks.yaml"
    path.write_text(YAML)
    config = load_config(path, ENV)
    ops, chat, sidecar = config.endpoints
    assert ops.filters.countries == {"KAZ", "KGZ"}
    assert (ops.timeout, ops.attempts, ops.retry.waits, ops.retry.jitter, ops.retry.retry_after_max) == (
        5, 4, (1, 30, 600), 0.2, 7200)  # fmt: skip
    assert (sidecar.attempts, sidecar.retry.waits) == (8, (5, 300, 1800, 7200, 18000, 36000, 36000))
    assert ops.secret_values() == [SECRET]
    assert (chat.format, chat.secrets, chat.internal) == ("slack", (), False)
    assert sidecar.internal and sidecar.secret_values() == [SECRET, OLD_SECRET]
    assert config.get("chat") is chat


def test_json_file_and_comma_separated_rotation_secrets(tmp_path: Path) -> None:
    path = tmp_path / "webhooks.json"
    path.write_text(json.dumps({"endpoints": [{"name": "a", "url": "https://a.example/h", "secret_env": "S"}]}))
    (endpoint,) = load_config(path, {"S": f"{SECRET}, {OLD_SECRET}"}).endpoints
    assert endpoint.secret_values() == [SECRET, OLD_SECRET]


def test_secrets_never_appear_in_repr(tmp_path: Path) -> None:
    config = parse_config(
        {"endpoints": [{"name": "a", "url": "https://a.example/h", "secret_env": "S"}]}, {"S": SECRET}
    )
    assert SECRET not in repr(config) and SECRET not in str(config.model_dump())


def test_unknown_endpoint_name_lists_the_known_ones() -> None:
    config = parse_config({"endpoints": [{"name": "a", "url": "https://a.example/h", "format": "slack"}]}, {})
    with pytest.raises(ConfigError, match=r"no webhook endpoint named 'b' \(known: a\)"):
        config.get("b")


def one(**fields: Any) -> dict[str, Any]:
    return {"endpoints": [{"name": "ops", "url": "https://a.example/h", "secret_env": "S"} | fields]}


@pytest.mark.parametrize(
    ("data", "env", "message"),
    [
        (one(), {}, "endpoint 'ops': secret_env: environment variable S is not set"),
        (one(), {"S": "plain-text"}, "endpoint 'ops': secret_env: S secret #1 lacks 'whsec_'"),
        (one(), {"S": f"{SECRET},whsec_!!"}, "endpoint 'ops': secret_env: S secret #2: secret is not base64"),
        (one(secret_env=[]), {}, "endpoint 'ops' (#1): secret_env: a standard endpoint needs a signing secret"),
        (one(url="ftp://a.example/h"), {"S": SECRET}, "endpoint 'ops' (#1): url: must be an http(s) URL"),
        (one(url="https:///nohost"), {"S": SECRET}, "endpoint 'ops' (#1): url: must be an http(s) URL"),
        (one(format="teams"), {"S": SECRET}, "endpoint 'ops' (#1): format: Input should be 'standard' or 'slack'"),
        (one(timeout=0), {"S": SECRET}, "endpoint 'ops' (#1): timeout: Input should be greater than 0"),
        (one(max_attempts=-1), {"S": SECRET}, "endpoint 'ops' (#1): max_attempts: Input should be greater"),
        (one(retry={"waits": ["5s", "soon"]}), {"S": SECRET}, "endpoint 'ops' (#1): retry.waits.1: duration 'soon'"),
        (one(retry={"waits": []}), {"S": SECRET}, "endpoint 'ops' (#1): retry.waits: Tuple should have at least"),
        (one(backoff={"base": 1}), {"S": SECRET}, "endpoint 'ops' (#1): backoff: replaced by retry, a schedule"),
        (one(url="http://2130706433/h"), {"S": SECRET}, "url: host '2130706433' is neither a hostname nor a canon"),
        (one(url="http://127.1/h"), {"S": SECRET}, "endpoint 'ops' (#1): url: host '127.1' is neither a hostname"),
        (one(url="http://0x7f.0.0.1/h"), {"S": SECRET}, "url: host '0x7f.0.0.1' is neither a hostname nor"),
        (one(url="http://017.0.0.1/h"), {"S": SECRET}, "url: host '017.0.0.1' is neither a hostname nor"),
        (one(url="http://a..example/h"), {"S": SECRET}, "url: host 'a..example' is neither a hostname nor"),
        (one(url="http://a.example:99999/h"), {"S": SECRET}, "url: not a valid URL (Port out of range"),
        (one(filters={"min_severity": "dire"}), {"S": SECRET}, "endpoint 'ops' (#1): filters.min_severity:"),
        (one(filters={"countries": ["Kazakhstan"]}), {"S": SECRET}, "endpoint 'ops' (#1): filters.countries."),
        (one(filters={"topics": []}), {"S": SECRET}, "endpoint 'ops' (#1): filters: topics: an empty list"),
        (one(filters={"statuses": ["closed"]}), {"S": SECRET}, "endpoint 'ops' (#1): filters.statuses."),
        (one(retries=3), {"S": SECRET}, "endpoint 'ops' (#1): retries: Extra inputs are not permitted"),
        (one(name="has space"), {"S": SECRET}, "endpoint 'has space' (#1): name: String should match"),
        ({"endpoints": [{"url": "https://a.example/h"}]}, {}, "endpoint (#1): name: Field required"),
        ({"endpoint": []}, {}, "config: endpoints: Field required"),
        (None, {}, "config: Input should be a valid dictionary"),
        (
            {"endpoints": [{"name": "a", "url": "https://a/h", "format": "slack"}] * 2},
            {},
            "endpoint 'a' (#2): name: duplicate endpoint name",
        ),
    ],
)
def test_config_errors_name_endpoint_and_field(data: Any, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, env)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("endpoints: [", ".yaml", "not valid yaml"),
        ("{", ".json", "not valid json"),
    ],
)
def test_unparsable_file_is_one_line(tmp_path: Path, text: str, suffix: str, message: str) -> None:
    path = tmp_path / f"hooks{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path, {})
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read: No such file"):
        load_config(tmp_path / "absent.yaml", {})


def test_file_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "hooks.yaml"
    path.write_text("endpoints:\n  - {name: ops, url: 'https://a/h', secret_env: S}\n")
    with pytest.raises(ConfigError, match=rf"^webhooks config {path}: endpoint 'ops': secret_env: "):
        load_config(path, {})


@pytest.mark.parametrize(
    ("filters", "alert", "accepted"),
    [
        ({}, {}, True),
        ({"countries": ["KAZ"]}, {}, True),
        ({"countries": ["RUS"]}, {}, False),
        ({"topics": ["unrest", "conflict"]}, {}, True),
        ({"topics": ["conflict"]}, {}, False),
        ({"topics": ["unrest"]}, {"topic": "PROTEST", "topics": ["PROTEST", "unrest"]}, True),  # any of the incident's
        ({"topics": ["all"]}, {"topic": "unrest", "topics": ["unrest", "all"]}, True),  # renamed from all
        ({"topics": ["crisis"]}, {"topic": "PROTEST", "topics": ["PROTEST", "unrest"]}, False),
        ({"min_severity": "high"}, {"severity": "high"}, True),
        ({"min_severity": "high"}, {"severity": "critical"}, True),
        ({"min_severity": "high"}, {"severity": "medium"}, False),
        ({"statuses": ["open"]}, {"status": "resolved"}, False),
        ({"statuses": ["open", "resolved"]}, {"status": "resolved"}, True),
        ({"countries": ["KAZ"], "min_severity": "critical"}, {}, False),
    ],
)
def test_filters(filters: dict[str, Any], alert: dict[str, Any], accepted: bool) -> None:
    assert Filters.model_validate(filters).accepts(make_alert(**alert)) is accepted


@pytest.mark.parametrize(
    "url",
    ["https://alerts.example.org/x", "http://receiver:8080/alerts", "http://127.0.0.1:9000/h", "http://[::1]:8443/h",
     "https://bücher.example/h", "http://localhost./h", "https://10.0.0.7/h"],
)  # fmt: skip
def test_hostnames_and_canonical_ips_are_accepted(url: str) -> None:
    (endpoint,) = parse_config(one(url=url), {"S": SECRET}).endpoints
    assert endpoint.url == url


def test_a_scaled_config_shortens_every_endpoints_waits_and_nothing_else() -> None:
    data = {"endpoints": [one()["endpoints"][0], {"name": "b", "url": "https://b.example/h", "format": "slack",
                                                   "retry": {"waits": ["10s"]}, "max_attempts": 5}]}  # fmt: skip
    config = parse_config(data, {"S": SECRET})
    small = config.scaled(0.01)
    assert [e.retry.waits for e in small.endpoints] == [pytest.approx(w) for w in (
        (0.05, 3, 18, 72, 180, 360, 360), (0.1,))]  # fmt: skip
    assert [e.attempts for e in small.endpoints] == [8, 5]
    assert [e.model_dump(exclude={"retry"}) for e in small.endpoints] == [
        e.model_dump(exclude={"retry"}) for e in config.endpoints
    ]
    assert config.scaled(1) is config
