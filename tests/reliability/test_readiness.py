"""/ready and geopulse_broker_up tell the truth: they agree from a worker's first answer, and a
worker that lost its topics is not ready from the moment it decides to stop."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.settings import Settings
from streams.worker.app import create_app
from streams.worker.health import topics_survived
from tests.integration.workers import WorkerProcess, topic_names, worker_env

pytestmark = pytest.mark.integration


class _Untagged:
    version = "none"


def broker_up_metric(worker: WorkerProcess) -> float | None:
    status, body = worker.get("/metrics")
    if status != 200:
        return None
    for family in text_string_to_metric_families(body.decode()):
        if family.name == "geopulse_broker_up":
            return family.samples[0].value
    return None


def test_broker_up_and_ready_agree_from_the_first_answer(
    bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = worker_env(bootstrap, "agree", tmp_path_factory.mktemp("agree"))
    worker = WorkerProcess(env, log_dir=tmp_path_factory.mktemp("agree-log"))
    pairs: list[tuple[int, bool, float | None]] = []
    try:
        with worker.log_path.open("ab") as log:  # started by hand: polled from its very first answer
            worker.proc = subprocess.Popen([sys.executable, "-m", "streams", "worker"], env=env, stdout=log,
                                           stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(status == 200 for status, _, _ in pairs[-3:]):
            try:
                status, body = worker.get("/ready")
                metric = broker_up_metric(worker)
            except OSError:
                time.sleep(0.05)
                continue
            pairs.append((status, bool(orjson.loads(body)["broker_up"]), metric))
        for _ in range(10):  # and a few seconds more, past the first health check
            status, body = worker.get("/ready")
            pairs.append((status, bool(orjson.loads(body)["broker_up"]), broker_up_metric(worker)))
            time.sleep(0.5)
    finally:
        worker.stop()
    print(f"{len(pairs)} /ready + /metrics pairs from the first answer; statuses {[p[0] for p in pairs][:8]}...")
    assert pairs and pairs[-1][0] == 200
    assert [(up, metric) for _, up, metric in pairs if float(up) != metric] == []


def test_a_worker_that_lost_its_topics_is_not_ready_from_that_moment(bootstrap: str) -> None:
    settings = Settings(kafka_bootstrap=bootstrap, app_id="lost", topics=topic_names("lost-never-created"))
    gp = create_app(settings, tagger=_Untagged())
    gp.state.ready, gp.state.broker_up = True, True
    assert gp.ready()
    crashed: list[BaseException] = []

    async def crash(reason: BaseException) -> None:  # the app is not running here: record the decision
        crashed.append(reason)

    gp.app.crash = crash  # type: ignore[method-assign]
    assert asyncio.run(topics_survived(gp)) is False
    assert gp.state.stopping and not gp.ready()
    assert "came back without topics" in str(crashed[0])


def test_a_worker_told_to_stop_is_not_ready_until_it_is_gone(start_worker: Callable[..., WorkerProcess]) -> None:
    worker = start_worker("sigterm")
    assert worker.get("/ready")[0] == 200 and worker.proc is not None
    worker.proc.send_signal(signal.SIGTERM)
    answers = []
    while worker.proc.poll() is None:
        try:
            answers.append(worker.get("/ready")[0])
        except OSError:
            answers.append(0)  # the web server is gone: no answer
        time.sleep(0.05)
    print(f"/ready while stopping: {answers}")
    assert 200 not in answers[1:], answers  # the first poll may come before the signal is handled
