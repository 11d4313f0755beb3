"""A real Prometheus scrapes a live worker that processed a sample stream: every panel has data.

One worker and one Prometheus (1 s scrapes and rule evaluations, the deploy/ rules loaded) are
shared by the module; each dashboard query and each recording rule is then one test.
"""

from __future__ import annotations

import base64
import importlib.util
import math
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import yaml

from streams.broker import free_port
from streams.settings import Settings
from streams.worker.clients import produce
from tests.deploy.grafana import DEPLOY, REPO, RULES_DIR, PanelQuery, panel_queries, recording_rules
from tests.deploy.prometheus_server import MISSING, PROMETHEUS, PROMTOOL, PrometheusProcess, scrape_config
from tests.integration.workers import WorkerProcess, topic_names, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.skipif(PROMETHEUS is None, reason=MISSING)]

APP_ID = "prom"
SECRET = "whsec_" + base64.b64encode(b"prometheus-test-webhook-secret!!").decode()
CHUNKS = 3  # the stream goes in a few bursts, so rates are measured between scrapes
INVALID = [b"{not json", b"[]", b"\xff\xfe", orjson.dumps({"id": "x", "title": "no source"})]


def notify_wired() -> bool:
    """Whether the worker delivers webhooks: streams.notify exists and the worker imports it."""
    if importlib.util.find_spec("streams.notify") is None:
        return False
    return any("streams.notify" in path.read_text() for path in (REPO / "streams" / "worker").glob("*.py"))


NOT_WIRED = (
    "webhook metrics appear only after a delivery, and the worker does not deliver yet: "
    "streams.notify is missing or not wired into the worker (streams/worker/)"
)


@dataclass
class Live:
    worker: WorkerProcess
    prometheus: PrometheusProcess
    valid: int
    invalid: int


def sample_messages() -> list[bytes]:
    try:
        from streams.demo.sample import sample_articles
    except ImportError:  # the demo sample is optional for this test: a few articles do
        return [orjson.dumps({"id": f"a{n}", "source": "wire", "title": "Protesters clash with police in Almaty",
                              "body": "Police fired tear gas at protesters in Almaty.",
                              "published_at": f"2022-01-05T0{n}:00:00Z"}) for n in range(6)]  # fmt: skip
    return [a.to_json() for a in sample_articles(short=True)]


def start_receiver(workdir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """deploy/receiver on a free loopback port, and a webhooks config pointing at it."""
    port = free_port()
    with (workdir / "receiver.log").open("ab") as log:
        args = [sys.executable, str(DEPLOY / "receiver" / "receiver.py"), "--host", "127.0.0.1", "--port", str(port)]
        proc = subprocess.Popen(args, env={"RECEIVER_SECRET": SECRET}, stdout=log, stderr=log)
    endpoint = {"name": "receiver", "url": f"http://127.0.0.1:{port}/alerts", "secret_env":
                "GEOPULSE_WEBHOOK_SECRET_RECEIVER", "internal": True, "format": "standard"}  # fmt: skip
    config = workdir / "webhooks.yml"
    config.write_text(yaml.safe_dump({"endpoints": [endpoint]}))
    return proc, config


def start_worker(bootstrap: str, workdir: Path, webhooks: Path | None) -> WorkerProcess:
    settings = {"webhooks_config": str(webhooks), "webhook_secret_receiver": SECRET} if webhooks else {}
    env = worker_env(bootstrap, APP_ID, workdir / "data", **settings)
    return WorkerProcess(env, log_dir=workdir).start()


def stream_sample(bootstrap: str, worker: WorkerProcess, prometheus: PrometheusProcess) -> tuple[int, int]:
    """Produce the sample in bursts, a few scrapes apart; return (valid, invalid) sent."""
    settings = Settings(kafka_bootstrap=bootstrap, topics=topic_names(APP_ID))
    good = sample_messages()
    size = -(-len(good) // CHUNKS)
    for n in range(CHUNKS):  # in publication order: the windows close as they would live
        chunk = [(None, v) for v in good[n * size : (n + 1) * size]] + [(b"bad", INVALID[n % len(INVALID)])]
        produce(settings, settings.topics.articles, chunk)
        time.sleep(2.5)
    return len(good), CHUNKS


@pytest.fixture(scope="module")
def live(bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    workdir = tmp_path_factory.mktemp("prometheus")
    receiver, webhooks = start_receiver(workdir)
    worker = prometheus = None
    try:
        worker = start_worker(bootstrap, workdir, webhooks if notify_wired() else None)
        target = worker.url.removeprefix("http://")
        config = scrape_config([target], [RULES_DIR / "recording.yml", RULES_DIR / "alerting.yml"])
        prometheus = PrometheusProcess(workdir, config).start()
        prometheus.wait(lambda: prometheus.value('up{job="geopulse"}') == 1, 30, "worker not scraped")
        valid, invalid = stream_sample(bootstrap, worker, prometheus)
        processed = 'sum(geopulse_articles_total{outcome=~"valid|invalid"})'
        prometheus.wait(lambda: prometheus.value(processed) >= valid + invalid, 60, "sample not processed")
        time.sleep(4)  # a few more scrapes and rule evaluations after the last article
        yield Live(worker, prometheus, valid, invalid)
    finally:
        for proc in (prometheus, worker):
            if proc is not None:
                proc.stop()
        receiver.terminate()
        receiver.wait(10)


def webhook_param(query: PanelQuery | str, needs_webhooks: bool, name: str) -> object:
    marks = [pytest.mark.xfail(not notify_wired(), reason=NOT_WIRED, strict=False)] if needs_webhooks else []
    return pytest.param(query, id=name, marks=marks)


PANELS = [webhook_param(q, q.needs_webhooks, q.id) for q in panel_queries()]
RECORDS = [webhook_param(r, "webhook" in r, r) for r in recording_rules()]


@pytest.mark.parametrize("query", PANELS)
def test_every_dashboard_panel_query_returns_data(live: Live, query: PanelQuery) -> None:
    result = live.prometheus.query(query.promql())
    values = [float(r["value"][1]) for r in result]
    top = sorted(zip(values, (r["metric"] for r in result), strict=True), key=lambda vm: str(vm[0]))[-3:]
    print(f"{query.id}: {len(result)} series; {top}; {query.promql()}")
    assert result, f"no data for panel {query.id}: {query.promql()}"
    assert any(not math.isnan(v) for v in values), f"only NaN for panel {query.id}: {query.promql()}"


@pytest.mark.parametrize("record", RECORDS)
def test_every_recording_rule_produces_series(live: Live, record: str) -> None:
    result = live.prometheus.query(record)
    print(f"{record}: {len(result)} series")
    assert result, f"recording rule {record} produced nothing"


def test_the_counters_match_the_stream_that_was_sent(live: Live) -> None:
    p = live.prometheus
    assert p.value('sum(geopulse_articles_total{outcome="valid"})') == live.valid
    assert p.value('sum(geopulse_articles_total{outcome="invalid"})') == live.invalid
    assert p.value("sum(geopulse_dead_letters_total)") == live.invalid


def test_rules_evaluate_cleanly_and_a_healthy_worker_raises_no_availability_alert(live: Live) -> None:
    groups = live.prometheus.api("rules")["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert len(rules) >= len(recording_rules()) + 5
    assert [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"] == []
    states = {r["name"]: r["state"] for r in rules if r["type"] == "alerting"}
    assert states["GeopulseWorkerDown"] == states["GeopulseNoWorkers"] == "inactive"


@pytest.mark.skipif(PROMTOOL is None, reason=MISSING)
def test_metrics_exposition_passes_promtool_check_metrics(live: Live) -> None:
    status, body = live.worker.get("/metrics")
    assert status == 200 and PROMTOOL is not None
    done = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr).decode()
