"""A real Prometheus process for tests: temp storage, loopback port, a generated config."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from streams.broker import free_port, stop_process

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
MISSING = "Prometheus is not installed (Debian: apt-get install prometheus; .ci/run installs it)"


def scrape_config(targets: list[str], rule_files: list[Path], interval: str = "1s") -> dict[str, Any]:
    """A config scraping `targets` as job `geopulse` every `interval`, evaluating `rule_files` as often."""
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [{"job_name": "geopulse", "static_configs": [{"targets": targets}]}],
    }


class PrometheusProcess:
    """`prometheus` on a free loopback port; `query` runs PromQL through its HTTP API."""

    def __init__(self, workdir: Path, config: dict[str, Any]) -> None:
        self.workdir = workdir
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.port = free_port()
        self.log_path = workdir / "prometheus.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> PrometheusProcess:
        assert PROMETHEUS, MISSING
        args = [PROMETHEUS, f"--config.file={self.config_path}", f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.wait(lambda: self.get("/-/ready") is not None, timeout, "Prometheus not ready")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, grace=10)

    def get(self, path: str) -> bytes | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return bytes(response.read())
        except OSError:
            return None

    def api(self, path: str, **params: str) -> Any:
        body = self.get(f"/api/v1/{path}?{urllib.parse.urlencode(params)}")
        if body is None:
            raise AssertionError(f"GET /api/v1/{path} {params} failed; log:\n{self.log()}")
        reply = json.loads(body)
        assert reply["status"] == "success", reply
        return reply["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The instant vector (or scalar as one sample) `promql` evaluates to now."""
        data = self.api("query", query=promql)
        result = data["result"]
        return [{"metric": {}, "value": result}] if data["resultType"] == "scalar" else list(result)

    def value(self, promql: str) -> float:
        """The one number `promql` gives now; 0 when it gives nothing."""
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else 0.0

    def wait(self, ready: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.25)
        raise TimeoutError(f"{what} within {timeout}s; log:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""
