"""deploy/kubernetes, checked structurally: kinds, probes, config and secret references, scraping."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from streams.settings import Settings
from tests.deploy.grafana import DEPLOY

K8S = DEPLOY / "kubernetes"
MANIFESTS = [p for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
DOCS: list[dict[str, Any]] = [d for p in MANIFESTS for d in yaml.safe_load_all(p.read_text()) if d]


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    [doc] = [d for d in DOCS if d["kind"] == kind and name in (None, d["metadata"]["name"])]
    return doc


def names(kind: str) -> set[str]:
    return {d["metadata"]["name"] for d in DOCS if d["kind"] == kind}


DEPLOYMENT = one("Deployment")
POD = DEPLOYMENT["spec"]["template"]
[CONTAINER] = POD["spec"]["containers"]
CONFIG = one("ConfigMap", "geopulse-config")["data"]
PARTITIONS = int(CONFIG["GEOPULSE_PARTITIONS"])


def container_port(port: int | str) -> int:
    ports = {p["name"]: p["containerPort"] for p in CONTAINER["ports"]}
    return ports[port] if isinstance(port, str) else port


def test_manifests_have_the_kinds_a_worker_needs() -> None:
    kinds = {d["kind"] for d in DOCS}
    assert {"Deployment", "ConfigMap", "Secret", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"} <= kinds
    assert all(d["apiVersion"] and d["metadata"]["name"] for d in DOCS)


@pytest.mark.parametrize(("probe", "path"), [("livenessProbe", "/health"), ("readinessProbe", "/ready"),
                                             ("startupProbe", "/health")])  # fmt: skip
def test_probes_hit_the_worker_views_on_its_web_port(probe: str, path: str) -> None:
    get = CONTAINER[probe]["httpGet"]
    assert get["path"] == path
    assert container_port(get["port"]) == int(CONFIG["GEOPULSE_WEB_PORT"])


def test_every_referenced_config_map_and_secret_key_exists() -> None:
    for ref in CONTAINER.get("envFrom", []):
        assert ref["configMapRef"]["name"] in names("ConfigMap")
    for var in CONTAINER.get("env", []):
        ref = var["valueFrom"]["secretKeyRef"]
        assert ref["key"] in one("Secret", ref["name"])["stringData"], var["name"]
    for volume in POD["spec"]["volumes"]:
        if "configMap" in volume:
            assert volume["configMap"]["name"] in names("ConfigMap")
        if "secret" in volume:
            assert volume["secret"]["secretName"] in names("Secret")


def test_config_map_and_secrets_load_as_valid_production_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CONFIG.items():
        monkeypatch.setenv(name, value)
    for var in CONTAINER["env"]:
        ref = var["valueFrom"]["secretKeyRef"]
        monkeypatch.setenv(var["name"], one("Secret", ref["name"])["stringData"][ref["key"]])
    settings = Settings.load()
    assert settings.production and settings.kafka.security_protocol == "SASL_SSL"
    assert settings.kafka.sasl_password is not None and settings.web_host == "0.0.0.0"
    mounts = {m["mountPath"] for m in CONTAINER["volumeMounts"]}
    for path in (settings.webhooks_config, settings.kafka.ssl_cafile, settings.data_dir):
        assert any(str(path).startswith(m) for m in mounts), f"{path} is not on a mounted volume"


def test_workers_never_outnumber_the_partitions() -> None:
    hpa = one("HorizontalPodAutoscaler")["spec"]
    assert DEPLOYMENT["spec"]["replicas"] <= PARTITIONS
    assert hpa["minReplicas"] <= hpa["maxReplicas"] <= PARTITIONS
    assert hpa["scaleTargetRef"]["name"] == DEPLOYMENT["metadata"]["name"]


def test_metrics_service_selects_the_workers_and_is_annotated_for_scraping() -> None:
    service = one("Service")
    notes = service["metadata"]["annotations"]
    assert notes["prometheus.io/scrape"] == "true" and notes["prometheus.io/path"] == "/metrics"
    assert int(notes["prometheus.io/port"]) == int(CONFIG["GEOPULSE_WEB_PORT"])
    assert service["spec"]["selector"].items() <= POD["metadata"]["labels"].items()
    [port] = service["spec"]["ports"]
    assert container_port(port["targetPort"]) == int(CONFIG["GEOPULSE_WEB_PORT"])
    assert POD["metadata"]["annotations"]["prometheus.io/scrape"] == "true"


def test_pods_run_as_the_images_non_root_user_with_bounded_resources() -> None:
    security = POD["spec"]["securityContext"]
    assert security["runAsNonRoot"] and security["runAsUser"] == 10001
    assert "USER 10001" in (DEPLOY / "Dockerfile").read_text()
    assert CONTAINER["resources"]["requests"] and CONTAINER["resources"]["limits"]["memory"]
    pdb = one("PodDisruptionBudget")["spec"]
    assert pdb["selector"]["matchLabels"].items() <= POD["metadata"]["labels"].items()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_every_manifest() -> None:
    done = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    built = [d for d in yaml.safe_load_all(done.stdout) if d]
    assert sorted((d["kind"], d["metadata"]["name"]) for d in built) == sorted(
        (d["kind"], d["metadata"]["name"]) for d in DOCS
    )
