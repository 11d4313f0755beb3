"""docker-compose.yml, checked structurally: services, images, ports, mounts and Kafka's KRaft set-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.settings import Settings
from tests.deploy.grafana import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
WORKERS = ["worker-1", "worker-2"]
KRAFT = {
    "KAFKA_NODE_ID", "KAFKA_PROCESS_ROLES", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_LISTENERS",
    "KAFKA_ADVERTISED_LISTENERS", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "KAFKA_CONTROLLER_LISTENER_NAMES",
    "KAFKA_INTER_BROKER_LISTENER_NAME", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "CLUSTER_ID",
}  # fmt: skip


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in SERVICES[service].get("environment", {}).items()}


def host_paths(service: dict[str, Any]) -> list[str]:
    """Host sides of bind mounts (named volumes have no slash)."""
    mounts = [v.split(":")[0] if isinstance(v, str) else v.get("source", "") for v in service.get("volumes", [])]
    return [m for m in mounts if m.startswith((".", "/"))]


def listeners(value: str) -> dict[str, str]:
    """{'PLAINTEXT': 'kafka:9092', ...} from a Kafka listener list."""
    return dict(item.split("://", 1) for item in value.split(","))


def test_the_stack_has_kafka_two_workers_prometheus_grafana_and_a_receiver() -> None:
    assert {"kafka", *WORKERS, "prometheus", "grafana", "receiver"} <= SERVICES.keys()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_an_image_or_a_build_that_exists(name: str) -> None:
    service = SERVICES[name]
    assert service.get("image") or service.get("build"), name
    if "build" in service:
        build = service["build"]
        assert (REPO / build["context"] / build["dockerfile"]).is_file()
    if "image" in service and "build" not in service:
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", service["image"]) and not service["image"].endswith(":latest")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_mounted_host_path_exists_in_the_repository(name: str) -> None:
    for path in host_paths(SERVICES[name]):
        assert (REPO / path).exists(), f"{name} mounts {path}, which is not in the repository"


def test_published_host_ports_do_not_clash() -> None:
    published = [str(p).split(":")[0] for s in SERVICES.values() for p in s.get("ports", [])]
    assert len(published) == len(set(published)), published
    for worker in WORKERS:
        assert any(str(p).endswith(":6066") for p in SERVICES[worker]["ports"])


def test_kafka_runs_in_kraft_mode_with_a_complete_single_node_setup() -> None:
    kafka = env("kafka")
    assert SERVICES["kafka"]["image"].startswith("apache/kafka:")
    assert kafka.keys() >= KRAFT, KRAFT - kafka.keys()
    assert set(kafka["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    node, voter = kafka["KAFKA_NODE_ID"], kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    assert voter.split("@")[0] == node
    bound, advertised = listeners(kafka["KAFKA_LISTENERS"]), listeners(kafka["KAFKA_ADVERTISED_LISTENERS"])
    controller = kafka["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert voter.split(":")[-1] == bound[controller].split(":")[-1], "the voter must use the controller port"
    assert controller not in advertised and kafka["KAFKA_INTER_BROKER_LISTENER_NAME"] in advertised
    assert set(bound) == set(listeners(kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].replace(":", "://")))
    assert kafka["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", kafka["CLUSTER_ID"]), "CLUSTER_ID must be a base64 UUID"


@pytest.mark.parametrize("worker", WORKERS)
def test_workers_reach_kafka_by_its_advertised_name_and_load_valid_settings(
    worker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = env(worker)
    advertised = listeners(env("kafka")["KAFKA_ADVERTISED_LISTENERS"])
    assert variables["GEOPULSE_KAFKA_BOOTSTRAP"] in advertised.values()
    assert variables["GEOPULSE_WEB_HOST"] == "0.0.0.0"
    for name, value in variables.items():
        monkeypatch.setenv(name, re.sub(r"\$\{\w+:-(.*)\}", r"\1", value))
    settings = Settings.load()
    assert settings.webhooks_config == Path("/etc/geopulse/webhooks.yml")
    mounted = {v.split(":")[1]: v.split(":")[0] for v in SERVICES[worker]["volumes"]}
    assert (REPO / mounted[str(settings.webhooks_config)]).is_file()
    assert SERVICES[worker]["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_prometheus_scrapes_both_workers_on_their_container_port() -> None:
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "geopulse"]
    targets = {t for sc in job["static_configs"] for t in sc["targets"]}
    assert targets == {f"{w}:{env(w)['GEOPULSE_WEB_PORT']}" for w in WORKERS}


def test_grafana_mounts_provisioning_and_the_dashboards_where_the_provider_looks() -> None:
    provider = yaml.safe_load((REPO / "deploy/grafana/provisioning/dashboards/geopulse.yml").read_text())
    mounts = {v.split(":")[1]: v.split(":")[0] for v in SERVICES["grafana"]["volumes"] if v.startswith(".")}
    assert mounts["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning"
    assert mounts[provider["providers"][0]["options"]["path"]] == "./deploy/grafana/dashboards"


def test_the_receiver_checks_signatures_with_the_workers_secret() -> None:
    receiver = SERVICES["receiver"]
    assert "deploy/receiver/receiver.py" in " ".join(receiver["entrypoint"])
    assert env("receiver")["RECEIVER_SECRET"] == env("worker-1")["GEOPULSE_WEBHOOK_SECRET_RECEIVER"]
    hooks = yaml.safe_load((REPO / "deploy/webhooks.example.yml").read_text())["endpoints"]
    assert any(h["url"].startswith("http://receiver:8080/") and h["secret_env"] in env("worker-1") for h in hooks)
