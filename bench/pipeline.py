"""End-to-end throughput and latency of geopulse workers, against a bare faust pipeline, in one run.

Starts the local broker, then measures on the same broker, topics layout and N articles
(≈1–4 KB newswire from bench/newswire.py):

  ceiling    bare faust agents (bench/passthrough.py: decode JSON, forward) — articles/s for a burst of N
  geopulse   `geopulse worker` processes: ingest → tag → count → detect
    burst    N produced at once; throughput = N / (first produce → all N counted on /metrics)
    max      N produced at the burst throughput: latency produce → TaggedArticle on `events`
    half     N produced at half of it: the same latency
  start-up   seconds from process start to /ready; RSS after the run

Latency is the difference of Kafka message timestamps: the article's (set by the producer at
send) and its TaggedArticle's on `events` (set by the worker's producer at send).

    python bench/pipeline.py [--n 3000] [--partitions 4] [--workers 1] [--json PATH] [--set batch_size=500]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parent))

import newswire

from streams.broker import LocalBroker, free_port, stop_process
from streams.settings import Settings, TopicNames
from streams.worker.clients import ensure_topics, producer

HERE = Path(__file__).resolve().parent
COUNTED = re.compile(rb'^geopulse_articles_total\{outcome="(?:counted|duplicate|late)"\} ([0-9.e+]+)$', re.M)
FAST_GROUP = {"SESSION_TIMEOUT": "6", "HEARTBEAT_INTERVAL": "0.5", "REBALANCE_TIMEOUT": "6"}


@dataclass
class Worker:
    """One worker subprocess with an HTTP port answering /ready."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def ready(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker exited with {self.proc.returncode}; see {self.log}")
        try:
            return self.get("/ready")[0] == 200
        except OSError:
            return False

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024  # type: ignore[index]

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        stop_process(self.proc)


def profile(worker: Worker, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling `worker` until SIGINT, collapsed stacks to `out` (needs `pip install py-spy`)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    cmd = [str(spy), "record", "--pid", str(worker.proc.pid), "--format", "raw", "--rate", "200", "-o", str(out)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until(check: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> float:
    """Poll `check` until true; the monotonic time it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(every)
    raise TimeoutError(f"{what} not reached in {timeout:.0f}s")


def start_workers(
    cmd: list[str], envs: list[dict[str, str]], port_var: str, logs: Path, name: str
) -> tuple[list[Worker], float]:
    """Start one process per env, one after the other; (workers, seconds of the first to /ready)."""
    workers: list[Worker] = []
    first = 0.0
    for i, env in enumerate(envs):
        log = logs / f"{name}-{i}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        worker = Worker(proc, int(env[port_var]), log, time.monotonic())
        workers.append(worker)
        at = wait_until(worker.ready, 120, f"{log.name} ready")
        first = first or at - worker.started
    time.sleep(1.0)  # a joining worker makes the others rebalance: let that settle, then check all
    wait_until(lambda: all(w.ready() for w in workers), 60, "all workers ready")
    return workers, first


def geopulse_env(bootstrap: str, app_id: str, partitions: int, data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOPULSE_")}
    values = {"KAFKA_BOOTSTRAP": bootstrap, "APP_ID": app_id, "PARTITIONS": str(partitions),
              "DATA_DIR": str(data_dir), "WEB_PORT": str(free_port()),
              **FAST_GROUP, **{k.upper(): v for k, v in extra.items()}}  # fmt: skip
    values |= {f"TOPICS__{name.upper()}": topic for name, topic in topics(app_id).model_dump().items()}
    env.update({f"GEOPULSE_{k}": v for k, v in values.items()})
    return env


def passthrough_env(bootstrap: str, app_id: str, partitions: int, data_dir: Path) -> dict[str, str]:
    names = topics(app_id)
    return {**os.environ, "BENCH_BOOTSTRAP": bootstrap, "BENCH_APP_ID": app_id, "BENCH_SOURCE": names.articles,
            "BENCH_SINK": names.events, "BENCH_PARTITIONS": str(partitions), "BENCH_DATA_DIR": str(data_dir),
            "BENCH_WEB_PORT": str(free_port())}  # fmt: skip


def topics(app_id: str) -> TopicNames:
    return TopicNames(**{name: f"{app_id}.{topic}" for name, topic in TopicNames().model_dump().items()})


def send(settings: Settings, topic: str, messages: list[tuple[bytes, bytes]], rate: float | None) -> float:
    """Produce the messages (at most `rate` per second); the monotonic time of the first send."""
    out = producer(settings)
    started = time.monotonic()
    for i, (key, value) in enumerate(messages):
        if rate:
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        out.send(topic, key=key, value=value)
    out.flush()
    out.close()
    return started


class KeyCounter:
    """Distinct keys seen on a topic so far (the local broker's end offsets are not record counts)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None, max_partition_fetch_bytes=8 << 20
        )
        self.consumer.assign([TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic) or ()])
        self.consumer.seek_to_beginning()
        self.keys: set[bytes] = set()

    def count(self) -> int:
        for records in self.consumer.poll(timeout_ms=50).values():
            self.keys.update(r.key for r in records)
        return len(self.keys)


def counted(workers: Iterable[Worker]) -> int:
    """Articles the count stage has finished with (counted, duplicate or late), over all workers."""
    return int(sum(float(v) for w in workers for v in COUNTED.findall(w.get("/metrics")[1])))


def reached(workers: Iterable[Worker], target: int) -> bool:
    return counted(workers) >= target


def timestamps(bootstrap: str, topic: str, idle: float = 2.0) -> dict[bytes, int]:
    """Kafka timestamp (ms) of every message of `topic` by key (the first one per key)."""
    counter = KeyCounter(bootstrap, topic)
    found: dict[bytes, int] = {}
    try:
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < idle:
            for records in counter.consumer.poll(timeout_ms=200).values():
                quiet_since = time.monotonic()
                for r in records:
                    found.setdefault(r.key, r.timestamp)
        return found
    finally:
        counter.consumer.close()


def latency(sent: dict[bytes, int], arrived: dict[bytes, int], keys: Iterable[bytes]) -> dict[str, float]:
    ms = sorted(arrived[k] - sent[k] for k in keys if k in arrived and k in sent)
    if not ms:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "n": 0}
    return {"p50_ms": statistics.median(ms), "p99_ms": ms[min(len(ms) - 1, int(0.99 * len(ms)))], "n": len(ms)}


class Run:
    """One benchmark run on one broker."""

    def __init__(self, bootstrap: str, args: argparse.Namespace, logs: Path) -> None:
        self.bootstrap, self.args, self.logs = bootstrap, args, logs
        self.n, self.partitions, self.workers = args.n, args.partitions, args.workers
        # Three phases of N articles each, published in order over the 48 hours before now.
        self.start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=48)
        self.span = timedelta(hours=15)
        self.timeout = 60 + self.n / 20

    def corpus(self, phase: int, prefix: str) -> list[tuple[bytes, bytes]]:
        start = self.start + phase * self.span
        return newswire.articles(self.n, seed=self.args.seed, prefix=prefix, start=start, span=self.span)

    def settings(self, app_id: str) -> Settings:
        return Settings(kafka_bootstrap=self.bootstrap, partitions=self.partitions, topics=topics(app_id))

    def ceiling(self) -> dict[str, Any]:
        app_id = f"bench-pass-{os.getpid()}"
        settings = self.settings(app_id)
        ensure_topics(settings, [settings.topics.articles, settings.topics.events])
        envs = [passthrough_env(self.bootstrap, app_id, self.partitions, self.logs / f"pass{i}")
                for i in range(self.workers)]  # fmt: skip
        workers, ready = start_workers([sys.executable, str(HERE / "passthrough.py")], envs, "BENCH_WEB_PORT",
                                       self.logs, "passthrough")  # fmt: skip
        messages = self.corpus(0, "p")
        probe = KeyCounter(self.bootstrap, settings.topics.events)
        try:
            cpu = sum(w.cpu_seconds() for w in workers)
            first = send(settings, settings.topics.articles, messages, None)
            done = wait_until(lambda: probe.count() >= self.n, self.timeout,
                              "passthrough forwarded all", every=0.05)  # fmt: skip
            cpu = sum(w.cpu_seconds() for w in workers) - cpu
            rss = max(w.rss_mb() for w in workers)
        finally:
            probe.consumer.close()
            for w in workers:
                w.stop()
        seconds = done - first
        return {"articles_per_s": self.n / seconds, "seconds": seconds, "ready_s": ready, "rss_mb": rss,
                "cpu_s_per_1k": 1000 * cpu / self.n}  # fmt: skip

    def geopulse(self) -> dict[str, Any]:
        app_id = f"bench-gp-{os.getpid()}"
        settings = self.settings(app_id)
        extra = dict(kv.split("=", 1) for kv in self.args.set)
        envs = [geopulse_env(self.bootstrap, app_id, self.partitions, self.logs / f"gp{i}", extra)
                for i in range(self.workers)]  # fmt: skip
        workers, ready = start_workers([sys.executable, "-m", "streams", "worker"], envs, "GEOPULSE_WEB_PORT",
                                       self.logs, "geopulse")  # fmt: skip
        result: dict[str, Any] = {"ready_s": ready}
        profilers = [profile(w, self.args.profile / f"geopulse-{i}.txt") for i, w in enumerate(workers)
                     ] if self.args.profile else []  # fmt: skip
        try:
            burst = self.corpus(0, "b")
            cpu = sum(w.cpu_seconds() for w in workers)
            first = send(settings, settings.topics.articles, burst, None)
            done = wait_until(partial(reached, workers, self.n), self.timeout, "all counted", every=0.2)
            result["cpu_s_per_1k"] = 1000 * (sum(w.cpu_seconds() for w in workers) - cpu) / self.n
            result["articles_per_s"] = self.n / (done - first)
            result["seconds"] = done - first
            for phase, (name, share) in enumerate((("max", 1.0), ("half", 0.5)), start=1):
                rate = result["articles_per_s"] * share
                messages = self.corpus(phase, name[0])
                send(settings, settings.topics.articles, messages, rate)
                wait_until(partial(reached, workers, (phase + 1) * self.n), self.timeout, f"{name} counted", every=0.2)
                result[f"{name}_rate"] = rate
                result[f"{name}_keys"] = [k for k, _ in messages]
            result["rss_mb"] = max(w.rss_mb() for w in workers)
        finally:
            for spy in profilers:
                spy.send_signal(signal.SIGINT)
                spy.wait(30)
            for w in workers:
                w.stop()
        sent, arrived = (
            timestamps(self.bootstrap, settings.topics.articles),
            timestamps(self.bootstrap, settings.topics.events),
        )
        result["burst"] = latency(sent, arrived, [k for k, _ in burst])
        for name in ("max", "half"):
            result[name] = latency(sent, arrived, result.pop(f"{name}_keys"))
        return result


def table(report: dict[str, Any]) -> str:
    ours, ceiling = report["geopulse"], report["ceiling"]
    rows = [
        ("articles / partitions / workers", f"{report['n']} / {report['partitions']} / {report['workers']}"),
        ("article size p50 (bytes)", f"{report['article_bytes_p50']}"),
        ("ceiling: bare faust decode+forward (art/s)", f"{ceiling['articles_per_s']:.0f}"),
        ("geopulse: ingest→tag→count→detect (art/s)", f"{ours['articles_per_s']:.0f}"),
        ("ratio geopulse / ceiling", f"{report['ratio']:.2f}"),
        ("worker CPU s per 1k articles (ours/ceiling)", f"{ours['cpu_s_per_1k']:.2f} / {ceiling['cpu_s_per_1k']:.2f}"),
        ("latency p50/p99 ms, burst of N", fmt_latency(ours["burst"])),
        (f"latency p50/p99 ms, max rate {ours['max_rate']:.0f}/s", fmt_latency(ours["max"])),
        (f"latency p50/p99 ms, half rate {ours['half_rate']:.0f}/s", fmt_latency(ours["half"])),
        ("worker start-up to ready (s, ours/ceiling)", f"{ours['ready_s']:.1f} / {ceiling['ready_s']:.1f}"),
        ("worker RSS after run (MB, ours/ceiling)", f"{ours['rss_mb']:.0f} / {ceiling['rss_mb']:.0f}"),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def fmt_latency(stats: dict[str, float]) -> str:
    return f"{stats['p50_ms']:.0f} / {stats['p99_ms']:.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=3000, help="articles per phase")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a GEOPULSE_ setting for the workers, e.g. batch_size=500")  # fmt: skip
    parser.add_argument("--skip-ceiling", action="store_true", help="measure geopulse only (ratio left out)")
    parser.add_argument("--profile", type=Path, help="py-spy the geopulse workers; collapsed stacks here")
    parser.add_argument("--logs", type=Path, help="keep the worker logs in this directory")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    sizes = sorted(len(v) for _, v in newswire.articles(500, seed=args.seed, prefix="s", start=datetime(2022, 1, 1,
                   tzinfo=UTC), span=timedelta(hours=1)))  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="geopulse-bench-") as tmp, LocalBroker(log_dir=Path(tmp)) as broker:
        logs = args.logs or Path(tmp) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        run = Run(broker.bootstrap, args, logs)
        ceiling = {"articles_per_s": float("nan"), "cpu_s_per_1k": float("nan"), "ready_s": float("nan"),
                   "rss_mb": float("nan")} if args.skip_ceiling else run.ceiling()  # fmt: skip
        ours = run.geopulse()
    report = {"n": args.n, "partitions": args.partitions, "workers": args.workers, "settings": args.set,
              "article_bytes_p50": sizes[len(sizes) // 2], "cpus": os.cpu_count(), "python": sys.version.split()[0],
              "ceiling": ceiling, "geopulse": ours,
              "ratio": ours["articles_per_s"] / ceiling["articles_per_s"]}  # fmt: skip
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
