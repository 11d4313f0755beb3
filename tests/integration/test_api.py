"""The worker's JSON API on a real worker that processed the demo sample: /api/counts and /api/alerts."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import orjson
import pytest

from schemas import Alert, DeadLetter, TaggedArticle
from streams.core.published import MISSING
from streams.demo.sample import plan, sample_articles
from streams.settings import Settings
from streams.worker.clients import produce, read_to_end
from tests.integration.workers import WorkerProcess, topic_names

pytestmark = pytest.mark.integration

APP = "api"
ZONELESS = {"id": "zoneless", "source": "wire", "title": "Police fired tear gas in Almaty",
            "body": "Police fired tear gas at protesters in Almaty.",
            "published_at": "2022-01-04T04:30:00"}  # fmt: skip


def get_json(worker: WorkerProcess, path: str) -> Any:
    status, body = worker.get(path)
    assert status == 200, body
    return orjson.loads(body)


def open_on_topic(settings: Settings) -> dict[str, Alert]:
    """The open alerts by alert id, as the alerts topic tells them (the last step of each)."""
    last: dict[str, Alert] = {}
    for _, value in read_to_end(settings, settings.topics.alerts):
        assert value is not None
        alert = Alert.model_validate_json(value)
        last[alert.alert_id] = alert
    return {key: alert for key, alert in last.items() if alert.status != "resolved"}


@pytest.fixture(scope="module")
def fed(bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.integration.workers import worker_env

    env = worker_env(bootstrap, APP, tmp_path_factory.mktemp(APP))
    worker = WorkerProcess(env, log_dir=tmp_path_factory.mktemp(f"{APP}-log")).start()
    settings = Settings(kafka_bootstrap=bootstrap, topics=topic_names(APP), partitions=2)
    peak = plan(short=True).surge_start + timedelta(hours=4)  # the sample up to the surge peak: alerts stay open
    messages = [(a.id.encode(), a.to_json()) for a in sample_articles(short=True) if a.published_at < peak]
    messages += [(b"zoneless", orjson.dumps(ZONELESS))]
    messages += [(b"timeless", orjson.dumps({k: v for k, v in ZONELESS.items() if k != "published_at"}))]
    produce(settings, settings.topics.articles, messages)
    try:
        yield worker, settings
    finally:
        worker.stop()


def test_alerts_lists_the_open_alerts_of_the_topic_with_their_top_articles(fed: Any) -> None:
    worker, settings = fed
    deadline = time.monotonic() + 90
    served: list[dict[str, Any]] = []
    expected: dict[str, Alert] = {}
    while time.monotonic() < deadline:
        served = get_json(worker, "/api/alerts")["alerts"]
        expected = open_on_topic(settings)
        if served and {a["alert_id"] for a in served} == {a.alert_id for a in expected.values()}:
            break
        time.sleep(1)
    assert served and {a["alert_id"] for a in served} == {a.alert_id for a in expected.values()}, worker.log()
    for entry in served:  # each is the last step published for its series, as the topic has it
        assert Alert.model_validate(entry) == expected[entry["alert_id"]]
        assert entry["top_articles"] and entry["summary"]
    country = served[0]["country"]
    mine = get_json(worker, f"/api/alerts?country={country.lower()}")["alerts"]
    assert mine and {a["country"] for a in mine} == {country}
    assert get_json(worker, "/api/alerts?country=ATA")["alerts"] == []


def test_counts_honours_each_filter(fed: Any) -> None:
    worker, _ = fed
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(everything := get_json(worker, "/api/counts")["series"]) < 10:
        time.sleep(0.5)
    countries = {key.split("|")[0] for key in everything}
    assert len(countries) >= 2
    country = "KAZ"  # the surge country: several topics
    by_country = get_json(worker, f"/api/counts?country={country}")["series"]
    assert len(by_country) > 1 and by_country == sorted(k for k in everything if k.startswith(f"{country}|"))
    by_topic = get_json(worker, "/api/counts?topic=all")["series"]
    assert by_topic == sorted(k for k in everything if k.endswith("|all")) and len(by_topic) == len(countries)
    windows = get_json(worker, f"/api/counts?country={country}&topic=all")["windows"]
    assert windows and all(w["country"] == country and w["topic"] == "all" for w in windows)


def test_the_worker_reads_a_zoneless_time_as_utc_and_dead_letters_a_missing_one(fed: Any) -> None:
    _, settings = fed
    tagged = [TaggedArticle.model_validate_json(v) for _, v in read_to_end(settings, settings.topics.events) if v]
    [zoneless] = [t for t in tagged if t.id == "zoneless"]
    assert zoneless.published_at.isoformat() == "2022-01-04T04:30:00+00:00"
    letters = [DeadLetter.model_validate_json(v) for _, v in read_to_end(settings, settings.topics.articles_dlq) if v]
    [timeless] = letters
    assert timeless.error_kind == "invalid_article" and timeless.error.startswith(MISSING)


def test_after_a_restart_the_open_alerts_are_listed_from_the_recovered_state(fed: Any) -> None:
    worker, settings = fed
    expected = open_on_topic(settings)
    worker.stop()
    worker.start()
    served = get_json(worker, "/api/alerts")["alerts"]
    assert {a["alert_id"] for a in served} == {a.alert_id for a in expected.values()}
    for entry in served:  # the step itself was in memory: the episode is what the state holds
        step = expected[entry["alert_id"]]
        held = (entry["revision"], entry["severity"], entry["observed"])
        assert held == (step.revision, step.severity, step.observed)
        assert entry["window_start"] == step.window_start.isoformat().replace("+00:00", "Z")
        assert entry["summary"] is None and entry["top_articles"] == []
