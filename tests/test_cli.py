"""The `geopulse` command: help that reads well, offline commands, and `webhooks test` against a real receiver."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import orjson
import pytest

from tests.conftest import SEED_PAGE as SEED
from tests.notify.receivers import SECRET, Receiver, Reply


async def geopulse(*args: str, env: dict[str, str] | None = None, stdin: bytes = b"") -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "streams", *args, env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(stdin), 120)
    return proc.returncode or 0, out.decode(), err.decode()


def run(*args: str, **kwargs: object) -> tuple[int, str, str]:
    return asyncio.run(geopulse(*args, **kwargs))  # type: ignore[arg-type]


def test_help_lists_every_command() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("worker", "produce", "tail", "broker", "tag", "replay", "demo", "schemas", "webhooks"):
        assert command in out


def test_schemas_check_passes_on_a_clean_tree() -> None:
    code, out, _ = run("schemas", "--check")
    assert code == 0 and "checked" in out


def test_tag_reads_raw_pages_and_reports_bad_lines() -> None:
    code, out, _ = run("tag", "--format", "text", str(SEED))
    assert code == 0
    tagged = orjson.loads(out)
    assert {"KAZ", "USA", "RUS"} <= {c["code"] for c in tagged["countries"]}
    code, out, err = run(
        "tag",
        "-",
        stdin=b'[1, 2]\nnot json\n{"text": "Police fired tear gas in Almaty.", "date": "2022-01-10 06:05"}\n',
    )
    assert code == 1 and "<stdin>:1: not_an_object" in err and "<stdin>:2: invalid_json" in err
    [lenient] = [orjson.loads(line) for line in out.splitlines()]
    assert lenient["source"] == "unknown" and "KAZ" in {c["code"] for c in lenient["countries"]}
    assert lenient["published_at"] == "2022-01-10T06:05:00Z"  # no zone: UTC, as in the worker
    assert "filled missing fields" in err


def test_a_bad_setting_stops_with_one_line() -> None:
    code, _, err = run("replay", "-", env={"GEOPULSE_WINDOW": "often"})
    assert code == 2 and err.strip().count("\n") == 0 and "GEOPULSE_WINDOW" in err


def test_replay_flags_one_outlet_feed_alerts_with_min_sources_1() -> None:
    from streams.demo.sample import sample_articles

    one_outlet = b"".join(a.model_copy(update={"source": "wire.example"}).to_json() + b"\n"
                          for a in sample_articles(short=True))  # fmt: skip
    code, out, _ = run("replay", "-", stdin=one_outlet)
    assert code == 0 and out == ""  # one outlet never makes a spike by default...
    code, out, _ = run("replay", "-", "--min-sources", "1", "--windows", "1h,1d", stdin=one_outlet)
    alerts = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and alerts[0]["status"] == "open" and alerts[0]["sources"] == 1  # ...unless told so
    assert alerts[0]["window"] in {"1h", "1d"} and alerts[0]["topic"] in alerts[0]["topics"]
    code, _, err = run("replay", "-", "--thresholds", "4,5", stdin=one_outlet)
    assert code == 2 and err.strip().count("\n") == 0 and "--thresholds" in err


def test_replay_flag_grave_topics_sets_the_least_severity_of_their_alerts() -> None:
    from streams.demo.sample import sample_articles

    sample = b"".join(a.to_json() + b"\n" for a in sample_articles(short=True))
    opened = {}
    for grave in ("", "all,unrest,PROTEST,crisis"):
        code, out, _ = run("replay", "-", "--grave-topics", grave, stdin=sample)
        first = orjson.loads(out.splitlines()[0])
        assert code == 0 and first["status"] == "open"
        opened[grave] = (first["severity"], first["score"])
    assert opened[""][0] == "low" and opened["all,unrest,PROTEST,crisis"] == ("medium", opened[""][1])
    code, _, err = run("replay", "-", "--grave-topics", "bombing", stdin=sample)
    assert code == 2 and err.strip().count("\n") == 0 and "grave_topics" in err


def test_webhooks_test_sends_a_signed_event(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, str, Receiver]:
        async with Receiver([Reply(200)]) as receiver:
            config = tmp_path / "hooks.json"
            endpoint = {"name": "local", "url": receiver.url, "secret_env": "HOOK_SECRET", "internal": True}
            config.write_bytes(orjson.dumps({"endpoints": [endpoint]}))
            code, out, _ = await geopulse(
                "webhooks", "test", "local", env={"GEOPULSE_WEBHOOKS_CONFIG": str(config), "HOOK_SECRET": SECRET}
            )
            return code, out, receiver

    code, out, receiver = asyncio.run(scenario())
    assert code == 0 and "delivered" in out
    [request] = receiver.requests
    assert request.ours_ok and request.reference_ok
    assert orjson.loads(request.body)["summary"].startswith("TEST")


@pytest.mark.parametrize("command", ["tag", "replay"])
def test_a_gzipped_archive_reads_as_the_plain_file(command: str, tmp_path: Path) -> None:
    """Archives are kept as .jsonl.gz (the 1987 wire in ../shared is one): read through gzip, same output."""
    import gzip

    from streams.demo.sample import sample_articles

    sample = b"".join(a.to_json() + b"\n" for a in sample_articles(short=True))
    plain, packed = tmp_path / "sample.jsonl", tmp_path / "sample.jsonl.gz"
    plain.write_bytes(sample)
    packed.write_bytes(gzip.compress(sample))
    plain_run, packed_run = run(command, str(plain)), run(command, str(packed))
    assert plain_run[0] == 0 and plain_run[1]  # tag: one line an article; replay: the sample's alerts
    assert packed_run[:2] == plain_run[:2]
