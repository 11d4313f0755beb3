"""`geopulse produce` and `tail` against a real broker: bad input is one line each, nothing else is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from streams.core.ingest import MAX_MESSAGE_BYTES
from streams.settings import Settings
from streams.worker.clients import produce, read_to_end

pytestmark = pytest.mark.integration

GOOD = {
    "id": "ok-1",
    "source": "wire",
    "title": "Police fired tear gas in Almaty",
    "published_at": "2022-01-05T09:00:00Z",
}


def geopulse(*args: str, bootstrap: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOPULSE_")}
    env.update(GEOPULSE_KAFKA_BOOTSTRAP=bootstrap, GEOPULSE_TOPICS__ARTICLES="cli.articles")
    return subprocess.run([sys.executable, "-m", "streams", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def test_an_over_large_line_is_reported_as_too_large_and_the_rest_is_sent(bootstrap: str, tmp_path: Path) -> None:
    big = orjson.dumps({**GOOD, "id": "big", "body": "x" * (MAX_MESSAGE_BYTES + 1)})
    source = tmp_path / "articles.jsonl"
    source.write_bytes(big + b"\n" + orjson.dumps(GOOD) + b"\n")
    done = geopulse("produce", str(source), bootstrap=bootstrap)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [reported, summary] = done.stderr.strip().splitlines()
    assert reported.startswith(f"{source}:1: too_large: message of {len(big)} bytes exceeds {MAX_MESSAGE_BYTES}")
    assert summary == "produced 1 message(s) to cli.articles"
    sent = read_to_end(Settings(kafka_bootstrap=bootstrap), "cli.articles")
    assert [orjson.loads(value or b"")["id"] for _, value in sent] == ["ok-1"]


def test_tail_of_a_topic_that_does_not_exist_is_one_line(bootstrap: str) -> None:
    done = geopulse("tail", "no-such-topic", "--idle", "1", bootstrap=bootstrap)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "geopulse: topic 'no-such-topic' does not exist"


def test_tail_into_a_reader_that_stops_early_ends_quietly(bootstrap: str) -> None:
    """`geopulse tail ... | head -1`: exit 0, nothing on stderr (typer alone made that exit 1)."""
    messages = [(f"k{n}".encode(), orjson.dumps({**GOOD, "id": f"pipe-{n}"})) for n in range(600)]
    produce(Settings(kafka_bootstrap=bootstrap), "cli.pipe", messages)  # ~150 kB printed: more than a pipe holds
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOPULSE_")}
    command = [sys.executable, "-m", "streams", "tail", "cli.pipe", "--idle", "10"]
    with subprocess.Popen(command, env={**env, "GEOPULSE_KAFKA_BOOTSTRAP": bootstrap},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        code = proc.wait(120)
    assert first.decode().startswith("── ") and (code, err.decode()) == (0, "")  # "── 0@0 key=k..."
