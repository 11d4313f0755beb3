"""Clean stops: the dev broker takes its tansu child with it, a worker whose broker is gone stops soon and quietly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from streams.broker import LocalBroker
from streams.settings import Settings
from streams.worker.clients import produce
from tests.integration.workers import WorkerProcess, topic_names, worker_env

pytestmark = pytest.mark.integration

ARTICLE = orjson.dumps({"id": "a1", "source": "wire", "title": "Police fired tear gas in Almaty",
                        "published_at": "2022-01-05T09:00:00Z"})  # fmt: skip


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_broker_on_sigterm_stops_its_tansu_child() -> None:
    command = [sys.executable, "-m", "streams", "broker", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().decode()  # "broker listening: export GEOPULSE_KAFKA_BOOTSTRAP=127.0.0.1:N"
            port = int(line.split("GEOPULSE_KAFKA_BOOTSTRAP=")[1].split()[0].rsplit(":", 1)[1])
            assert listening(port)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0
        finally:
            proc.kill()
    deadline = time.monotonic() + 10
    while listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not listening(port), "the tansu broker outlived `geopulse broker`"


def test_demo_on_sigterm_stops_the_broker_and_worker_it_started() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOPULSE_")}
    command = [sys.executable, "-m", "streams", "demo"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        try:
            assert proc.stdout is not None
            lines = []
            while not lines or not lines[-1].startswith("worker ready"):  # after "local broker on ..."
                lines.append(proc.stdout.readline())
                assert lines[-1], f"the demo ended before its worker was ready: {lines}"
            [broker_line] = [line for line in lines if line.startswith("local broker on")]
            broker = int(broker_line.split("127.0.0.1:")[1].split()[0])
            worker = int(lines[-1].split("127.0.0.1:")[1].split("/")[0])
            assert listening(broker) and listening(worker), lines
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(60) == 130
            rest = proc.stdout.read()
        finally:
            proc.kill()
    assert "Traceback" not in rest, rest
    assert not listening(broker) and not listening(worker)


def test_a_healthy_start_says_where_it_serves_and_logs_no_error(tmp_path: Path) -> None:
    with LocalBroker() as broker:
        worker = WorkerProcess(worker_env(broker.bootstrap, "healthy", tmp_path), log_dir=tmp_path).start()
        try:
            deadline = time.monotonic() + 30
            while "HTTP on" not in worker.log() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            worker.stop()
        log = worker.log_path.read_text(errors="replace")
    assert f"HTTP on {worker.url}: /health /ready /metrics /api/counts /api/alerts" in log
    assert "[ERROR]" not in log and "Metadata refresh: failed" not in log


def test_a_worker_whose_broker_is_gone_stops_soon_without_a_flood_of_errors(tmp_path: Path) -> None:
    with LocalBroker() as broker:
        worker = WorkerProcess(worker_env(broker.bootstrap, "orphaned", tmp_path), log_dir=tmp_path).start()
        code = stop_after_the_broker_died(worker, broker)
    log = worker.log_path.read_text(errors="replace")
    assert code in (0, 1) and "stopping while the broker is unreachable" in log  # 1: exited unflushed
    assert log.count("[ERROR]") < 20, log[-4000:]


def stop_after_the_broker_died(worker: WorkerProcess, broker: LocalBroker) -> int:
    """SIGTERM a worker some seconds after its broker died; its exit code."""
    try:  # a worker that has read its partitions (positions known), as any worker after a while
        settings = Settings(kafka_bootstrap=broker.bootstrap, topics=topic_names("orphaned"), partitions=2)
        produce(settings, settings.topics.articles, [(b"a1", ARTICLE)])
        deadline = time.monotonic() + 60
        while not orjson.loads(worker.get("/api/counts")[1])["series"] and time.monotonic() < deadline:
            time.sleep(0.2)
        broker.kill()
        deadline = time.monotonic() + 30  # the worker looks at the broker every 5 s
        while orjson.loads(worker.get("/ready")[1])["broker_up"] and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(10)  # long enough for ~60 reconnect errors the clients would log unfiltered
        assert worker.proc is not None
        worker.proc.send_signal(signal.SIGTERM)
        code = worker.proc.wait(40)  # faust waited 60 s on a dead consumer thread, then on the producer
    finally:
        worker.kill()
    return code
