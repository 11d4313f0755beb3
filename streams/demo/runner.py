"""`geopulse demo`: the whole service on one machine, live.

Starts the local broker unless GEOPULSE_KAFKA_BOOTSTRAP is set, starts a worker process, streams
the bundled sample and shows what happens: articles processed, the busiest series, alerts as they
fire. Everything it started is stopped on the way out, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from schemas import Alert, WindowCount
from streams.broker import LocalBroker, free_port, stop_process
from streams.core.alerts import rank
from streams.errors import GeopulseError
from streams.settings import Settings
from streams.worker.clients import consume, ensure_worker_topics, produce

READY_TIMEOUT = 90.0
DRAIN_TIMEOUT = 120.0


@dataclass
class Progress:
    """What the demo has seen so far."""

    total: int = 0
    produced: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    counts: dict[str, WindowCount] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    failed: GeopulseError | None = None  # why the sample could not be sent
    lock: threading.Lock = field(default_factory=threading.Lock)

    def processed(self) -> int:
        m = self.metrics
        return int(sum(m.get(f'articles{{outcome="{o}"}}', 0) for o in ("counted", "duplicate", "late")))


def run_demo(settings: Settings, *, short: bool = False, rate: float = 40.0, console: Console | None = None) -> int:
    from streams.demo.sample import sample_articles

    console = console or Console()
    articles = sample_articles(short=short)
    console.print(
        f"[bold]sample[/]: {len(articles)} articles published {articles[0].published_at:%d %b %H:%M} to "
        f"{articles[-1].published_at:%d %b %H:%M} UTC, sent at {rate:g}/s; the demo stops by itself once "
        "all are counted (Ctrl-C stops it sooner)"
    )
    with contextlib.ExitStack() as stack:
        if not settings.kafka_bootstrap:
            broker = stack.enter_context(LocalBroker())
            console.print(f"[bold]local broker[/] on {broker.bootstrap} (tansu, memory only)")
            settings = settings.model_copy(update={"kafka_bootstrap": broker.bootstrap})
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="geopulse-demo-")))
        ensure_worker_topics(settings)
        worker = stack.enter_context(_worker(settings, data_dir, console))
        progress = Progress(total=len(articles))
        stop = threading.Event()
        stack.callback(stop.set)
        _start_readers(settings, progress, stop, worker)
        messages = [(a.id.encode(), a.to_json()) for a in articles]

        def send() -> None:
            counted = _counting(messages, progress)
            try:
                progress.produced = produce(settings, settings.topics.articles, counted, rate=rate)
            except GeopulseError as exc:  # said once by the main thread (nothing, when stopping anyway)
                progress.failed = exc

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        finished = _show(progress, sender, console)
        if progress.failed is not None:
            raise progress.failed
        _summary(progress, console)
        return 0 if finished and progress.processed() == progress.total else 1
    return 1


def _counting(messages: list[tuple[bytes, bytes]], progress: Progress) -> Iterator[tuple[bytes | None, bytes]]:
    for n, message in enumerate(messages, 1):
        yield message
        progress.produced = n


@contextlib.contextmanager
def _worker(settings: Settings, data_dir: Path, console: Console) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "GEOPULSE_KAFKA_BOOTSTRAP": str(settings.kafka_bootstrap),
        "GEOPULSE_DATA_DIR": str(data_dir),
        "GEOPULSE_WEB_PORT": str(port),
        "GEOPULSE_LOG_LEVEL": "warning",
    }
    log = (data_dir / "worker.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "streams", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        _wait_ready(proc, url, data_dir / "worker.log")
        console.print(f"[bold]worker[/] ready in {time.monotonic() - started:.1f}s, metrics at {url}/metrics")
        yield url
    finally:
        stop_process(proc)
        log.close()


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise GeopulseError(f"worker exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "/ready", timeout=1) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise GeopulseError(f"worker not ready after {READY_TIMEOUT:.0f}s; see {log}")


def _start_readers(settings: Settings, progress: Progress, stop: threading.Event, url: str) -> None:
    def read_alerts() -> None:
        for _, value, _, _ in consume(settings, settings.topics.alerts, idle_timeout=None, stop=stop):
            with progress.lock:
                progress.alerts.append(Alert.model_validate_json(value))

    def read_counts() -> None:
        for _, value, _, _ in consume(settings, settings.topics.counts, idle_timeout=None, stop=stop):
            count = WindowCount.model_validate_json(value)
            with progress.lock:
                current = progress.counts.get(count.key)
                if current is None or count.window_start >= current.window_start:
                    progress.counts[count.key] = count

    def read_metrics() -> None:
        while not stop.wait(0.5):
            with contextlib.suppress(OSError):
                progress.metrics = _scrape(url)

    for target in (read_alerts, read_counts, read_metrics):
        threading.Thread(target=target, daemon=True).start()


def _scrape(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url + "/metrics", timeout=2) as response:
        text = response.read().decode()
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            name = sample.name.removeprefix("geopulse_").removesuffix("_total")
            values[f"{name}{{{labels}}}" if labels else name] = sample.value
    return values


def _show(progress: Progress, sender: threading.Thread, console: Console) -> bool:
    deadline = time.monotonic() + DRAIN_TIMEOUT + progress.total / 10
    printed = 0
    live = Live(console=console, refresh_per_second=4, transient=False) if console.is_terminal else None
    with live or contextlib.nullcontext():
        while time.monotonic() < deadline:
            done = not sender.is_alive() and progress.processed() >= progress.total
            if live is not None:
                live.update(_render(progress))
            else:
                printed = _print_new_alerts(progress, console, printed)
            if done:
                time.sleep(1.0)  # let the last alerts arrive
                if live is not None:
                    live.update(_render(progress))
                else:
                    _print_new_alerts(progress, console, printed)
                return True
            time.sleep(0.25)
    return False


def _print_new_alerts(progress: Progress, console: Console, printed: int) -> int:
    with progress.lock:
        new = progress.alerts[printed:]
    for alert in new:
        console.print(f"[bold red]alert {alert.status}[/] {alert.summary}", soft_wrap=True)
    return printed + len(new)


def _render(progress: Progress) -> Group:
    m = progress.metrics
    tagged, dead = m.get('articles{outcome="valid"}', 0), m.get('articles{outcome="invalid"}', 0)
    head = (
        f"produced {progress.produced}/{progress.total} · tagged {int(tagged)} · counted {progress.processed()}"
        f" · dead letters {int(dead)} · alerts {len(progress.alerts)}"
    )
    series = Table(title="busiest series (latest window of each)", expand=False)
    for col in ("country", "topic", "window to (UTC)", "stories", "sources", "volume"):
        series.add_column(col)
    with progress.lock:
        top = busiest(progress.counts.values())
        alerts = progress.alerts[-8:]
    for c in top:  # a window by its end, as alerts say "in the hour to 14:00 UTC"
        window = f"{c.window_end:%d %b %H:%M}"
        series.add_row(c.country, c.topic, window, str(c.stories), str(c.sources), str(c.volume))
    feed = Table(title="alerts", expand=False)
    for col in ("status", "severity", "summary"):
        feed.add_column(col)
    for a in alerts:
        feed.add_row(a.status, a.severity, a.summary)
    return Group(head, series, feed)


def busiest(counts: Iterable[WindowCount], n: int = 10) -> list[WindowCount]:
    """The `n` series with the most stories in their latest window (the newer window first on a tie)."""
    return sorted(counts, key=lambda c: (c.stories, c.window_start, c.key), reverse=True)[:n]


def peaks(alerts: Iterable[Alert]) -> list[Alert]:
    """Each alert's worst step (most stories, then the higher severity, then the earlier), in opening order."""
    worst: dict[str, Alert] = {}
    for alert in alerts:
        kept = worst.get(alert.alert_id)
        if kept is None or (alert.observed, rank(alert.severity)) > (kept.observed, rank(kept.severity)):
            worst[alert.alert_id] = alert
    return list(worst.values())


def _summary(progress: Progress, console: Console) -> None:
    worst = peaks(progress.alerts)
    console.print(
        f"[bold]done[/]: {progress.total} articles streamed, {progress.processed()} counted, "
        f"{len(progress.alerts)} alert steps ({len(worst)} alerts); each alert at its peak:"
    )
    for alert in worst:
        console.print(f"  • {alert.summary}", soft_wrap=True)
