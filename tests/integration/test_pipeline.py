"""End to end on a real Kafka-protocol broker: articles in, events and dead letters out."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
import pytest

from schemas import DeadLetter, TaggedArticle
from streams.settings import Settings
from streams.worker.clients import consume, produce
from tests.conftest import SEED_PAGE as SEED
from tests.integration.workers import WorkerProcess, topic_names

pytestmark = pytest.mark.integration


def settings_for(bootstrap: str, app_id: str) -> Settings:
    return Settings(kafka_bootstrap=bootstrap, topics=topic_names(app_id))


def read_until(settings: Settings, topic: str, count: int, timeout: float = 60.0) -> list[tuple[bytes | None, bytes]]:
    out: list[tuple[bytes | None, bytes]] = []
    deadline = time.monotonic() + timeout
    for key, value, _, _ in consume(settings, topic, idle_timeout=timeout):
        out.append((key, value))
        if len(out) >= count or time.monotonic() > deadline:
            break
    return out


def cli(*args: str, env: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "streams", *args], env=env, input=stdin, capture_output=True,
                          timeout=120, check=False)  # fmt: skip


def test_seed_page_flows_from_articles_to_events(start_worker: Callable[..., WorkerProcess], bootstrap: str) -> None:
    worker = start_worker("seed")
    print(f"worker ready in {worker.ready_seconds:.1f}s")
    assert worker.ready_seconds is not None and worker.ready_seconds < 30
    done = cli("produce", "--format", "text", str(SEED), env=worker.env)
    assert done.returncode == 0, done.stderr.decode()

    [(key, value)] = read_until(settings_for(bootstrap, "seed"), topic_names("seed").events, 1)
    tagged = TaggedArticle.model_validate_json(value)
    assert key == tagged.id.encode()
    assert tagged.title == "US seeks answers from Kazakhstan on need for Russian-led troops"
    assert tagged.published_at == datetime(2022, 1, 10, 6, 5, tzinfo=UTC)
    assert tagged.source == "Reuters"
    codes = {c.code for c in tagged.countries}
    assert {"KAZ", "USA", "RUS"} <= codes and not codes & {"BGD", "JPN", "CHN", "FRA", "IND", "SAU"}
    assert tagged.tagger_version and tagged.events

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = worker.get("/api/counts?country=KAZ&topic=all")
        windows = orjson.loads(body)["windows"] if status == 200 else []
        if windows:
            break
        time.sleep(0.2)
    [window] = windows
    assert (window["count"], window["stories"], window["sources"]) == (1, 1, 1)
    assert window["window_start"] == "2022-01-10T06:00:00Z" and window["window_end"] == "2022-01-10T07:00:00Z"
    assert "KAZ|all" in orjson.loads(worker.get("/api/counts")[1])["series"]


def test_invalid_messages_are_dead_lettered_and_the_worker_goes_on(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    worker = start_worker("dlq")
    settings = settings_for(bootstrap, "dlq")
    good = {"id": "ok-1", "source": "wire", "title": "Protesters clash with police in Almaty",
            "body": "Police fired tear gas at protesters in Almaty on Wednesday.",
            "published_at": "2022-01-05T09:00:00Z"}  # fmt: skip
    bad = [b"\xff\xfenot utf8", b"{not json", orjson.dumps({**good, "published_at": "2022-01-05"}), b"[]"]
    produce(settings, settings.topics.articles, [(b"bad", v) for v in bad] + [(b"ok-1", orjson.dumps(good))])

    letters = [DeadLetter.model_validate_json(v) for _, v in read_until(settings, settings.topics.articles_dlq, 4)]
    assert sorted(d.original_bytes() for d in letters) == sorted(bad)
    assert {d.error_kind for d in letters} == {"invalid_utf8", "invalid_json", "invalid_article", "not_an_object"}
    assert all(d.topic == settings.topics.articles and d.offset is not None and d.error for d in letters)
    [(_, value)] = read_until(settings, settings.topics.events, 1)
    assert TaggedArticle.model_validate_json(value).id == "ok-1"
    status, body = worker.get("/metrics")
    assert status == 200 and b'geopulse_dead_letters_total{reason="invalid_json"' in body


def test_demo_runs_to_completion_on_its_own_broker(tmp_path: object) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("GEOPULSE_")}
    done = subprocess.run([sys.executable, "-m", "streams", "demo", "--short", "--rate", "200"], env=env,
                          capture_output=True, timeout=300, check=False)  # fmt: skip
    out = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, out[-4000:]
    assert "local broker" in out and "done:" in out
    assert "alert open" in out, out[-4000:]
