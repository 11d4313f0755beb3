"""`geopulse replay` at archive scale: articles/s and peak memory at 1×, 2×, 4× and 50× the 1987 wire.

The input is `../shared/data/reuters87-dev.jsonl.gz` repeated: copy k has every date shifted by k × 35
weeks (the weekday pattern is kept) and every id suffixed with `~k`, so each copy is new to the dedupe.
The one story without a time is left out; stories take turns at three outlet names (alerts need two).
Each copy keeps the file's own order, which is out of event-time order by up to 47 hours, so replay
runs with `--reorder 2d`. The copies are written at run time into a temporary directory that is
removed at the end; nothing is committed.

For each scale the script runs, one after the other in fresh processes on the same file:

- the peer: `geopulse tag FILE` (tagging alone, the bulk of a replay's work), with the same `--jobs`;
- `geopulse replay --counts --window 1d --reorder 2d FILE` at each `--jobs` value asked for;
- with `--before DIR`, the same replay from another checkout (e.g. the commit before a change, made
  with `git archive COMMIT | tar -x -C DIR`), without the flags it does not know.

It reports wall time, articles/s, the peak memory of the replay's process tree (sampled every 20 ms
from /proc: RSS summed over the main process and its workers, which counts shared pages once per
process, and PSS, which splits them) and of the main process alone (VmHWM); the CPU seconds of the
process with the workers it reaped, and of the main process alone (the serial part); the ratios to
the peer, to before and to the 1× figure; and whether every replay wrote the same bytes (sha256 of
stdout). Times are medians over `--repeat` runs at scales up to 4× and one run above that.

On a machine shared with other work, wall times say little; CPU seconds less disturbed. "On N idle
cores, from CPU seconds" is a model, not a measurement: a run takes at least its main process's CPU
seconds (the serial part) and at least its total CPU seconds over the cores it can use.

    python bench/replay.py [--scales 1,2,4,50] [--jobs 1,2] [--repeat 3] [--before DIR] [--json PATH]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "reuters87-dev.jsonl.gz"
SHIFT = timedelta(weeks=35)  # longer than the file's span (Feb 26 - Oct 20), whole weeks
OUTLETS = ("wire-a", "wire-b", "wire-c")  # one wire; alerts need two outlets, so stories take turns


def write_copies(source: Path, scale: int, target: Path) -> int:
    """`scale` shifted copies of the stream, one after another; returns the number of articles."""
    stories = []
    with gzip.open(source, "rb") as lines:
        for line in lines:
            story = orjson.loads(line)
            if story.get("published_at"):
                stories.append(story)
    with target.open("wb") as out:
        for k in range(scale):
            for n, story in enumerate(stories):
                when = datetime.fromisoformat(story["published_at"].replace("Z", "+00:00")) + k * SHIFT
                copy = {**story, "published_at": when.isoformat().replace("+00:00", "Z"), "source": OUTLETS[n % 3]}
                if k:
                    copy["id"] = f"{story['id']}~{k}"
                out.write(orjson.dumps(copy) + b"\n")
    return scale * len(stories)


@dataclass
class Run:
    seconds: float
    tree_mb: float
    pss_mb: float
    main_mb: float
    cpu: float
    main_cpu: float
    digest: str
    code: int


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS (shared pages split between the processes sharing them) summed over the tree."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith(("Rss:", "Pss:")):
                        kb = int(line.split()[1])
                        rss, pss = (rss + kb, pss) if line.startswith("Rss:") else (rss, pss + kb)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as children:
                    todo.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return rss, pss


def _main_process(pid: int) -> tuple[int, int]:
    """CPU clock ticks and peak RSS (kB) of the process alone, without its workers."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status") as status:
            hwm = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return 0, 0
    return int(fields[11]) + int(fields[12]), hwm  # utime + stime


def run(args: list[str], code_dir: Path, out: Path) -> Run:
    env = {**os.environ, "PYTHONPATH": str(code_dir)}
    env.pop("PYTHONUNBUFFERED", None)  # stdout buffered as usual, for both sides
    peak, peak_pss, main_ticks, main_hwm = [0], [0], [0], [0]
    with out.open("wb") as stdout:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streams", *args], cwd=code_dir, env=env, stdout=stdout, stderr=subprocess.PIPE
        )
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                rss, pss = _tree_memory_kb(proc.pid)
                peak[0], peak_pss[0] = max(peak[0], rss), max(peak_pss[0], pss)
                ticks, hwm = _main_process(proc.pid)
                main_ticks[0], main_hwm[0] = ticks or main_ticks[0], max(main_hwm[0], hwm)
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert proc.stderr is not None
        try:
            err = proc.stderr.read()
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            raise
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    cpu = usage.ru_utime + usage.ru_stime  # with the workers it reaped
    main_cpu = main_ticks[0] / os.sysconf("SC_CLK_TCK")  # the main process alone (last sample)
    memory = (peak[0] / 1024, peak_pss[0] / 1024, (main_hwm[0] or usage.ru_maxrss) / 1024)
    return Run(seconds, *memory, cpu, main_cpu, digest, proc.returncode)


def median_run(runs: list[Run]) -> Run:
    digests = {r.digest for r in runs}
    assert len(digests) == 1, f"one command gave different outputs: {digests}"
    return Run(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.tree_mb for r in runs),
        statistics.median(r.pss_mb for r in runs),
        statistics.median(r.main_mb for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.main_cpu for r in runs),
        runs[0].digest,
        runs[0].code,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,4,50", help="copies of the stream, comma-separated")
    parser.add_argument("--jobs", default=f"1,{os.cpu_count() or 1}", help="--jobs values for replay")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command at scales up to 4x (median)")
    parser.add_argument("--window", default="1d")
    parser.add_argument("--reorder", default="2d")
    parser.add_argument("--before", type=Path, default=None, help="another checkout to run as 'before'")
    parser.add_argument("--before-max", type=int, default=4, help="largest scale to run 'before' at")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/replay.py: terminated"))  # temp files go too
    scales = [int(s) for s in args.scales.split(",")]
    jobs = [int(j) for j in args.jobs.split(",") if j]
    if not args.data.exists():
        sys.exit(f"bench/replay.py: {args.data} not found (the shared data sits beside the repository)")

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="geopulse-bench-replay-") as tmp:
        for scale in scales:
            source = Path(tmp) / f"reuters87x{scale}.jsonl"
            n = write_copies(args.data, scale, source)
            repeat = args.repeat if scale <= 4 else 1
            commands: dict[str, tuple[list[str], Path]] = {}
            replay = ["replay", "--counts", "--window", args.window, str(source)]
            if args.before is not None and scale <= args.before_max:
                commands["before tag"] = (["tag", str(source)], args.before.resolve())
                commands["before"] = (replay, args.before.resolve())
            for j in jobs:
                commands[f"tag -j{j}"] = (["tag", "--jobs", str(j), str(source)], REPO)
                commands[f"replay -j{j}"] = ([*replay, "--reorder", args.reorder, "--jobs", str(j)], REPO)
            row: dict[str, Any] = {"scale": scale, "articles": n}
            for name, (command, code_dir) in commands.items():
                runs = [run(command, code_dir, Path(tmp) / "out") for _ in range(repeat)]
                row[name] = asdict(median_run(runs))
                r = row[name]
                print(f"  {scale}x {name:<12} {r['seconds']:7.1f} s  {n / r['seconds']:7.0f} art/s  "
                      f"tree {r['tree_mb']:6.0f} MB (PSS {r['pss_mb']:4.0f})  main {r['main_mb']:6.0f} MB  "
                      f"cpu {r['cpu']:6.1f} s (main {r['main_cpu']:5.1f})", flush=True)  # fmt: skip
            source.unlink()
            results.append(row)
            report(row, results[0], jobs)
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


def critical_path(run: dict[str, Any], jobs: int, cores: int) -> float:
    """Seconds the run would take on `cores` cores of its own: the main process is serial, the rest spreads."""
    return float(max(run["main_cpu"], run["cpu"] / min(cores, jobs + 1)))


def report(row: dict[str, Any], first: dict[str, Any], jobs: list[int]) -> None:
    """Ratios within the row (to the peer, to before) and to the first scale's figures."""
    cores = os.cpu_count() or 1
    n, base = row["articles"], f"the {first['scale']}x figure"
    replays = [r for name, r in row.items() if name.startswith("replay")]
    before = row.get("before")
    print(f"{row['scale']}x: {n} articles; replay outputs identical across --jobs: "
          f"{len({r['digest'] for r in replays}) <= 1}", end="")  # fmt: skip
    if before:
        print(f"; identical to before: {all(r['digest'] == before['digest'] for r in replays)}", end="")
    print()
    for j in jobs:
        ours, peer, ours1 = row[f"replay -j{j}"], row[f"tag -j{j}"], first[f"replay -j{j}"]
        line = (f"  --jobs {j}: replay {n / ours['seconds']:.0f} art/s = {peer['seconds'] / ours['seconds']:.2f}x "
                f"tag alone; tree RSS {ours['tree_mb']:.0f} MB = {ours['tree_mb'] / ours1['tree_mb']:.2f}x {base} "
                f"(PSS {ours['pss_mb']:.0f} MB), "
                f"main {ours['main_mb']:.0f} MB = {ours['main_mb'] / ours1['main_mb']:.2f}x {base}")  # fmt: skip
        if before:
            line += (f"; {before['seconds'] / ours['seconds']:.2f}x before's art/s "
                     f"with {ours['cpu'] / before['cpu']:.2f}x its CPU seconds; on {cores} idle cores, from CPU "
                     f"seconds: {before['cpu'] / critical_path(ours, j, cores):.2f}x before's art/s")  # fmt: skip
        print(line)
    if before and "before" in first:
        print(f"  before: {n / before['seconds']:.0f} art/s = {row['before tag']['seconds'] / before['seconds']:.2f}x "
              f"its tag alone; RSS {before['tree_mb']:.0f} MB = {before['tree_mb'] / first['before']['tree_mb']:.2f}x "
              f"{base}")  # fmt: skip


if __name__ == "__main__":
    main()
