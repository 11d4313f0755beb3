"""Worker processes for integration tests: start, wait until ready, stop or kill."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from streams.broker import free_port, stop_process
from streams.settings import TopicNames

FAST_GROUP = {
    "GEOPULSE_SESSION_TIMEOUT": "6",
    "GEOPULSE_HEARTBEAT_INTERVAL": "0.5",
    "GEOPULSE_REBALANCE_TIMEOUT": "6",
}


def topic_names(app_id: str) -> TopicNames:
    """Topic names private to one test app, so tests sharing a broker never see each other's data."""
    return TopicNames(**{name: f"{app_id}.{topic}" for name, topic in TopicNames().model_dump().items()})


def worker_env(bootstrap: str, app_id: str, data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOPULSE_")}
    env.update(FAST_GROUP)
    env.update(
        GEOPULSE_KAFKA_BOOTSTRAP=bootstrap,
        GEOPULSE_APP_ID=app_id,
        GEOPULSE_DATA_DIR=str(data_dir),
        GEOPULSE_WEB_PORT=str(free_port()),
        GEOPULSE_PARTITIONS="2",
    )
    for name, topic in topic_names(app_id).model_dump().items():
        env[f"GEOPULSE_TOPICS__{name.upper()}"] = topic
    env.update({f"GEOPULSE_{k.upper()}": v for k, v in settings.items()})
    return env


class WorkerProcess:
    """One `geopulse worker` subprocess."""

    def __init__(self, env: dict[str, str], log_dir: Path, module: str = "streams") -> None:
        self.env = env
        self.module = module  # run as `python -m module worker`; `module` is the faulty worker of a test
        self.log_path = log_dir / "worker.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['GEOPULSE_WEB_PORT']}"

    def start(self, timeout: float = 60.0) -> WorkerProcess:
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.module, "worker"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_ready(timeout)
        self.ready_seconds = time.monotonic() - started
        return self

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=2) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"worker exited; log:\n{self.log()}")
            try:
                if self.get("/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"worker not ready in {timeout}s; log:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM and wait (a clean shutdown); SIGKILL if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        return stop_process(self.proc, grace=timeout)

    def kill(self) -> None:
        """kill -9, as a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
