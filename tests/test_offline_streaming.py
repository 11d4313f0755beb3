"""`geopulse tag` and `replay` at archive scale: streamed, on every core, and the same bytes as before.

The reference is the replay that sorts every tagged article in memory (`run_replay` with no
`reorder`, the code path `geopulse replay` took before it streamed); the CLI runs in subprocesses.
"""

from __future__ import annotations

import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from schemas import Article
from streams.demo.sample import sample_articles
from streams.disksort import sorted_on_disk
from streams.fanout import ordered_map
from streams.offline import run_replay
from streams.settings import Settings
from tests.test_cli import run

SAMPLE = sample_articles()  # three days, 10 outlets, a surge of unrest: alerts at the default 1h window


def jsonl(articles: list[Article]) -> bytes:
    return b"".join(a.to_json() + b"\n" for a in articles)


def sorted_in_memory(articles: list[Article]) -> bytes:
    out = io.BytesIO()
    messages = [(a.id, a.to_json()) for a in articles]
    run_replay(Settings(), messages, lambda where, exc: pytest.fail(f"{where}: {exc}"), out, with_counts=True)
    return out.getvalue()


def late_by(articles: list[Article], every: int, places: int) -> list[Article]:
    """The articles with every `every`-th one moved `places` later in the file (so it comes late)."""
    out = list(articles)
    for n in range(0, len(out) - places, every):
        out.insert(n + places, out.pop(n))
    return out


def behind_at_most(articles: list[Article]) -> timedelta:
    newest, worst = articles[0].published_at, timedelta(0)
    for a in articles:
        worst, newest = max(worst, newest - a.published_at), max(newest, a.published_at)
    return worst


def replay_file(tmp_path: Path, articles: list[Article], *flags: str) -> tuple[int, str, str]:
    path = tmp_path / "articles.jsonl"
    path.write_bytes(jsonl(articles))
    return run("replay", "--counts", str(path), *flags)


def test_sorted_input_streams_to_the_same_bytes_as_the_in_memory_sort_on_any_number_of_jobs(tmp_path: Path) -> None:
    reference = sorted_in_memory(SAMPLE)
    assert b'"kind":"count"' in reference and b'"status":"open"' in reference  # counts and alerts both
    for flags in (["--jobs", "1"], ["--jobs", "2"], ["--jobs", "3", "--sort"]):
        code, out, err = replay_file(tmp_path, SAMPLE, *flags)
        assert code == 0, err
        assert out.encode() == reference, flags


def test_input_out_of_order_within_the_bound_gives_the_same_bytes(tmp_path: Path) -> None:
    shuffled = late_by(SAMPLE, every=7, places=12)
    behind = behind_at_most(shuffled)
    assert timedelta(minutes=30) < behind < timedelta(hours=6)
    reference = sorted_in_memory(shuffled)
    bound = f"{int(behind.total_seconds() // 60) + 1}m"
    for jobs in ("1", "2"):
        code, out, err = replay_file(tmp_path, shuffled, "--reorder", bound, "--jobs", jobs)
        assert code == 0, err
        assert out.encode() == reference


def test_input_beyond_the_bound_is_refused_in_one_line_that_says_how_to_fix_it(tmp_path: Path) -> None:
    shuffled = list(SAMPLE)
    shuffled.insert(300, shuffled.pop(100))  # a story from the first day, filed in the middle of the third
    behind = behind_at_most(shuffled)
    code, _, err = replay_file(tmp_path, shuffled, "--jobs", "2")  # default bound: the grace, 15 minutes
    assert code == 2 and err.count("\n") == 1, err
    hours = -(-int(behind.total_seconds()) // 3600)
    assert "articles.jsonl:301:" in err and f"--reorder {hours}h or more" in err and "--sort" in err
    code, out, err = replay_file(tmp_path, shuffled, "--reorder", f"{hours}h")
    assert code == 0, err
    code, sorted_out, err = replay_file(tmp_path, shuffled, "--sort")
    assert code == 0, err
    assert out.encode() == sorted_out.encode() == sorted_in_memory(shuffled)


def test_tag_gives_the_same_bytes_in_input_order_on_any_number_of_jobs(tmp_path: Path) -> None:
    articles = late_by(SAMPLE[:300], every=5, places=3)
    path = tmp_path / "articles.jsonl"
    path.write_bytes(jsonl(articles[:150]) + b"not json\n" + jsonl(articles[150:]) + b"[1]\n")
    outputs = []
    for jobs in ("1", "2", "3"):
        code, out, err = run("tag", "--jobs", jobs, str(path))
        bad = [line for line in err.splitlines() if line.startswith(f"{path}:")]
        assert code == 1 and len(bad) == 2, err
        assert bad[0].startswith(f"{path}:151: invalid_json: ") and bad[1].startswith(f"{path}:302: not_an_object: ")
        outputs.append(out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert [orjson.loads(line)["id"] for line in outputs[0].splitlines()] == [a.id for a in articles]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["replay", "--jobs", "0"], "--jobs must be at least 1, got 0"),
        (["replay", "--jobs", "many"], "--jobs must be a whole number of processes, got 'many'"),
        (["tag", "--jobs", "-2"], "--jobs must be at least 1, got -2"),
        (["replay", "--reorder", "soon"], "--reorder: duration 'soon' is not like 90s, 15m, 1h, 6h, 1d or 1h30m"),
        (["replay", "--sort", "--reorder", "1h"], "--sort and --reorder exclude each other"),
    ],
)
def test_a_bad_flag_stops_with_one_line(args: list[str], says: str) -> None:
    code, out, err = run(*args, "-")
    assert code == 2 and out == "" and err.count("\n") == 1 and says in err, err


def test_the_disk_sort_is_a_stable_sort_and_leaves_no_files() -> None:
    rng = random.Random(3)
    items = [(rng.randrange(50), n) for n in range(1_000)]
    prefix = f"geopulse-test-{rng.randrange(10**9)}-"
    assert list(sorted_on_disk(items, key=lambda i: i[0], run=70, block=8, prefix=prefix)) == sorted(
        items, key=lambda i: i[0]
    )
    unfinished = sorted_on_disk(items, key=lambda i: i[0], run=70, block=8, prefix=prefix)
    next(unfinished)
    assert list(Path(tempfile.gettempdir()).glob(prefix + "*"))  # the runs are on disk while it is read
    unfinished.close()
    assert not list(Path(tempfile.gettempdir()).glob(prefix + "*"))


def test_replay_sort_that_cannot_write_its_temporary_files_stops_with_one_line(tmp_path: Path) -> None:
    """A full disk under --sort: one line naming where, exit 2, no file left behind.

    A file-size limit on the command stands in for the full disk: its writes past 4 kB fail as they
    would on one (EFBIG instead of ENOSPC); stdout and stderr are pipes, which it does not limit.
    """
    scratch, source = tmp_path / "scratch", tmp_path / "articles.jsonl"
    scratch.mkdir()
    # One article more than a sorted run holds in memory: a run is written to disk.
    lines = (orjson.dumps({"id": f"a{n}", "source": "s", "title": "Rain", "published_at": 1_600_000_000 + n % 97})
             for n in range(10_001))  # fmt: skip
    source.write_bytes(b"\n".join(lines) + b"\n")
    done = subprocess.run(
        [sys.executable, "-m", "streams", "replay", "--sort", "--jobs", "1", str(source)],
        env={**os.environ, "TMPDIR": str(scratch)}, preexec_fn=small_files, capture_output=True, text=True,
        timeout=120, check=False)  # fmt: skip
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"geopulse: cannot write the sort's temporary files in {scratch}/geopulse-replay-")
    assert list(scratch.iterdir()) == []


def small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4_096, 4_096))


def slow_on_even(n: int) -> int:
    time.sleep(0.02 if n % 2 == 0 else 0)
    return n * n


def test_the_ordered_map_keeps_input_order_and_reads_only_as_fast_as_results_are_taken() -> None:
    pulled = []

    def items() -> Iterator[int]:
        for n in range(40):
            pulled.append(n)
            yield n

    results = ordered_map(slow_on_even, items(), jobs=2, ahead=4)
    assert next(results) == 0
    assert len(pulled) <= 5  # `ahead` in flight, and at most one more read
    assert list(results) == [n * n for n in range(1, 40)]
