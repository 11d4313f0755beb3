"""The `geopulse` command: run a worker, move articles in and out of Kafka, tag and replay offline."""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import orjson
import typer

from streams import __version__
from streams.core.ingest import MAX_MESSAGE_BYTES
from streams.errors import GeopulseError, InvalidMessage
from streams.exits import fail, one_line_errors
from streams.inputs import InputFormat, read_messages
from streams.settings import Settings

if TYPE_CHECKING:
    from streams.notify import WebhookConfig

cli = typer.Typer(
    help="geopulse: tag geopolitical events in news from Kafka, count them per country and topic, "
    "and raise explained alerts when a series spikes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
webhooks_cli = typer.Typer(help="Webhook endpoints from GEOPULSE_WEBHOOKS_CONFIG.", no_args_is_help=True)
cli.add_typer(webhooks_cli, name="webhooks")

Paths = Annotated[list[Path] | None, typer.Argument(help="Input files; none or '-' reads stdin.")]
Format = Annotated[InputFormat, typer.Option("--format", "-f", help="jsonl: one Article per line; text: raw pages.")]


PAGES_HINT = "geopulse: lines that are not JSON: if these are raw article pages, read them with --format text"


@cli.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True)] = False,
) -> None:
    # Entered in the root context, the command's exceptions reach it before typer's own handlers
    # (which would turn a closed pipe into exit 1).
    ctx.with_resource(one_line_errors())
    if version:
        typer.echo(f"geopulse {__version__}")
        raise typer.Exit()


class ErrorTally:
    """Reports bad inputs on stderr (with where they were) and counts them."""

    def __init__(self) -> None:
        self.count = 0
        self._hinted = False

    def __call__(self, where: str, exc: GeopulseError) -> None:
        self.count += 1
        kind = getattr(exc, "kind", type(exc).__name__)
        typer.echo(f"{where}: {kind}: {exc}", err=True)
        if kind == "invalid_json" and not self._hinted:  # the usual cause: a page read as JSONL
            self._hinted = True
            typer.echo(PAGES_HINT, err=True)


def load_settings(**flags: object) -> Settings:
    """The settings, with values given as flags (by field name) over the environment."""
    return Settings.from_flags(**flags)


@cli.command()
def worker(
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "",
) -> None:
    """Run a worker: consume `articles`, publish events, counts and alerts, serve /metrics."""
    from streams.worker.app import create_app
    from streams.worker.clients import ensure_worker_topics
    from streams.worker.runner import run_worker

    settings = load_settings()
    try:
        ensure_worker_topics(settings)
        gp = create_app(settings, webhooks=load_webhooks(settings))
    except GeopulseError as exc:
        fail(str(exc))
    run_worker(gp, loglevel or settings.log_level)


def load_webhooks(settings: Settings) -> WebhookConfig | None:
    from streams.notify import load_config

    if settings.webhooks_config is None:
        return None
    return load_config(settings.webhooks_config).scaled(settings.webhook_retry_scale)


@webhooks_cli.command("test")
def webhooks_test(name: Annotated[str, typer.Argument(help="Endpoint name from the config file.")]) -> None:
    """Send a signed test event to one endpoint and print the outcome."""
    import asyncio

    from streams.notify import send_test

    settings = load_settings()
    try:
        config = load_webhooks(settings)
        if config is None:
            fail("GEOPULSE_WEBHOOKS_CONFIG is not set")
        result = asyncio.run(send_test(config.get(name)))
    except GeopulseError as exc:
        fail(str(exc))
    ok = result.status == "delivered"
    typer.secho(
        f"{name}: {result.status} (HTTP {result.status_code or '-'}) in {result.seconds:.2f}s"
        + (f": {result.error}" if result.error else ""),
        fg=typer.colors.GREEN if ok else typer.colors.RED,
    )
    if not ok:
        raise typer.Exit(1)


@webhooks_cli.command("redeliver")
def webhooks_redeliver(
    name: Annotated[str, typer.Argument(help="Endpoint name from the config file.")],
    since: Annotated[str | None, typer.Option(help="Only letters of the last DURATION, e.g. 6h, 2d.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be sent; send nothing.")] = False,
) -> None:
    """Send an endpoint's dead letters (webhooks.dlq) again, each with its own webhook-id."""
    import asyncio
    from datetime import UTC, datetime

    from streams.core.windows import parse_duration
    from streams.notify.redeliver import dead_alerts, redeliver
    from streams.worker.clients import missing_topics, read_to_end

    settings = load_settings()
    dlq = settings.topics.webhooks_dlq
    try:
        config = load_webhooks(settings)
        if config is None:
            fail("GEOPULSE_WEBHOOKS_CONFIG is not set")
        endpoint = config.get(name)
        cutoff = datetime.now(UTC) - parse_duration(since) if since else None
        if missing_topics(settings, [dlq]):
            fail(f"topic {dlq} does not exist: nothing was dead-lettered on this broker")
        alerts = dead_alerts((value for _, value in read_to_end(settings, dlq)), name, since=cutoff)
    except (GeopulseError, ValueError, TimeoutError) as exc:
        fail(str(exc))
    for alert in alerts if dry_run else ():
        typer.echo(f"{alert.delivery_id}: would be sent again ({alert.country} {alert.topic} {alert.status})")
    results = [] if dry_run else asyncio.run(redeliver(endpoint, alerts))
    for result in results:
        typer.secho(f"{result.delivery_id}: {result.status} (HTTP {result.status_code or '-'})"
                    + (f": {result.error}" if result.error else ""),
                    fg=typer.colors.GREEN if result.status == "delivered" else typer.colors.RED)  # fmt: skip
    failed = sum(1 for r in results if r.status != "delivered")
    verb = "would be sent" if dry_run else f"sent again, {len(results) - failed} delivered, {failed} failed"
    typer.echo(f"{name}: {len(alerts)} dead-lettered deliveries on {dlq} {verb}")
    if failed:
        raise typer.Exit(1)


@cli.command()
def produce(
    paths: Paths = None,
    fmt: Format = InputFormat.jsonl,
    topic: Annotated[str | None, typer.Option(help="Topic to write to (default: the articles topic).")] = None,
    rate: Annotated[float | None, typer.Option(help="At most this many articles per second.")] = None,
) -> None:
    """Produce articles (JSONL lines or raw pages) to Kafka, keyed by article id."""
    from streams.worker.clients import produce as send

    settings = load_settings()
    target = topic or settings.topics.articles

    errors = ErrorTally()
    messages = ((_article_key(value), value) for value in _sendable(read_messages(paths or [], fmt, errors), errors))
    sent = send(settings, target, messages, rate=rate)
    typer.echo(f"produced {sent} message(s) to {target}", err=True)
    if errors.count:
        raise typer.Exit(1)


def _sendable(messages: Iterable[tuple[str, bytes]], errors: ErrorTally) -> Iterator[bytes]:
    """The values a worker could read; larger ones are reported as `too_large` (as tag and replay do)."""
    for where, value in messages:
        if len(value) > MAX_MESSAGE_BYTES:
            errors(where, InvalidMessage("too_large", f"message of {len(value)} bytes exceeds {MAX_MESSAGE_BYTES}"))
        else:
            yield value


def _article_key(value: bytes) -> bytes | None:
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    article_id = data.get("id") if isinstance(data, dict) else None
    return str(article_id).encode() if article_id else None


@cli.command()
def tail(
    topic: Annotated[str, typer.Argument(help="Topic name, e.g. events, counts, alerts, articles.dlq.")],
    from_beginning: Annotated[bool, typer.Option("--from-beginning/--from-end")] = True,
    max_messages: Annotated[int | None, typer.Option("--max", help="Stop after this many messages.")] = None,
    idle: Annotated[float | None, typer.Option(help="Stop after this many idle seconds.")] = None,
    raw: Annotated[bool, typer.Option(help="Print values as they are, one per line.")] = False,
) -> None:
    """Pretty-print the messages of a topic."""
    from streams.worker.clients import consume

    settings = load_settings()
    try:
        for n, (key, value, partition, offset) in enumerate(
            consume(settings, topic, from_beginning=from_beginning, idle_timeout=idle), 1
        ):
            _print_message(key, value, partition, offset, raw=raw)
            if max_messages and n >= max_messages:
                break
    except TimeoutError as exc:
        fail(str(exc))


def _print_message(key: bytes | None, value: bytes, partition: int, offset: int, *, raw: bool) -> None:
    if raw:
        sys.stdout.buffer.write(value + b"\n")
        return
    try:
        body = orjson.dumps(orjson.loads(value), option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONDecodeError:
        body = repr(value[:2000])
    typer.secho(f"── {partition}@{offset} key={key.decode(errors='replace') if key else None}", fg="cyan")
    typer.echo(body)


@cli.command()
def broker(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: a free one).")] = 9092,
) -> None:
    """Run the local Kafka-protocol dev broker (tansu, memory only) until Ctrl-C or SIGTERM."""
    import time

    from streams.broker import LocalBroker, stop_on_sigterm

    stop_on_sigterm()  # the broker runs in its own session: only our exit path stops it
    try:
        with LocalBroker(port=port or None) as running:
            typer.echo(f"broker listening: export GEOPULSE_KAFKA_BOOTSTRAP={running.bootstrap}  (Ctrl-C stops)")
            while running.running:
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass


Jobs = Annotated[
    str | None, typer.Option("--jobs", "-j", help="Tagging processes (default: one per core); output is the same.")
]


@cli.command()
def tag(paths: Paths = None, fmt: Format = InputFormat.jsonl, jobs: Jobs = None) -> None:
    """Tag articles offline: one TaggedArticle JSON per line on stdout, in input order."""
    from streams.offline import FilledFields, tagged_json_in_file_order

    processes = _jobs(jobs)
    errors, filled = ErrorTally(), FilledFields()
    messages = read_messages(paths or [], fmt, errors)
    with _stdout() as out:
        for _, tagged in tagged_json_in_file_order(messages, errors, filled, processes):
            out.write(tagged + b"\n")
    filled.report(sys.stderr)
    if errors.count:
        raise typer.Exit(1)


@cli.command()
def replay(
    paths: Paths = None,
    fmt: Format = InputFormat.jsonl,
    window: Annotated[str | None, typer.Option(help="Window size, e.g. 1h, 6h, 1d (default: settings).")] = None,
    grace: Annotated[str | None, typer.Option(help="Grace for late articles, e.g. 15m (default: settings).")] = None,
    counts: Annotated[bool, typer.Option(help="Also print WindowCount lines (kind=count).")] = False,
    jobs: Jobs = None,
    reorder: Annotated[
        str | None,
        typer.Option(help="How far out of event-time order the input may be, e.g. 2h (default: the grace)."),
    ] = None,
    sort: Annotated[
        bool, typer.Option("--sort", help="Input in any order: sort it on disk first (temporary files).")
    ] = False,
    windows: Annotated[str | None, typer.Option(help="Sizes, e.g. 1h,1d or 1h,1h+30m,1d (GEOPULSE_WINDOWS).")] = None,
    min_sources: Annotated[int | None, typer.Option(help="Outlets a window needs to alert; 1 for one outlet.")] = None,
    min_stories: Annotated[int | None, typer.Option(help="Stories a window needs to alert.")] = None,
    min_stories_day: Annotated[int | None, typer.Option(help="Stories a window of a day or more needs.")] = None,
    thresholds: Annotated[str | None, typer.Option(help="Scores low,medium,high,critical per series-day.")] = None,
    half_life: Annotated[str | None, typer.Option(help="How fast baselines forget, e.g. 7d.")] = None,
    guard: Annotated[
        int | None, typer.Option(help="Day windows of a rise held out of a series' baseline at most (0: none).")
    ] = None,
    seasonal: Annotated[bool | None, typer.Option(help="Expect each country's share by hour and weekday.")] = None,
    grave_topics: Annotated[
        str | None, typer.Option(help='Topics whose significant alerts are at least medium, e.g. ASSAULT ("": none).')
    ] = None,
    developments: Annotated[
        bool | None, typer.Option(help="Also alert on developments: 3 stories on one matter in a day (opt-in).")
    ] = None,
    thin_day_share: Annotated[
        float | None, typer.Option(help="Judge an open day as if this share of its usual news by now were in.")
    ] = None,
) -> None:
    """Run the whole core offline over articles in event-time order: one Alert JSON per line.

    The input streams through: it must be in published_at order give or take --reorder (memory
    holds that much event time, never the whole file), or be sorted on disk with --sort.
    The detection flags are the GEOPULSE_ settings of the same names (README, "Detection settings").
    """
    from streams.core.reorder import OutOfOrder
    from streams.offline import FilledFields, run_replay

    flags = {
        "window": window,
        "grace": grace,
        "windows": windows,
        "min_sources": min_sources,
        "min_stories": min_stories,
        "min_stories_day": min_stories_day,
        "thresholds": thresholds,
        "half_life": half_life,
        "guard": guard,
        "seasonal": seasonal,
        "grave_topics": grave_topics,
        "developments": developments,
        "thin_day_share": thin_day_share,
    }
    overrides = {k: v for k, v in flags.items() if v is not None}
    settings = load_settings(**overrides)
    processes = _jobs(jobs)
    if sort and reorder is not None:
        fail("--sort and --reorder exclude each other: --sort takes the input in any order")
    bound = None if sort else _reorder(reorder, settings.grace)
    errors, filled = ErrorTally(), FilledFields()
    messages = read_messages(paths or [], fmt, errors)
    try:
        with _stdout() as out:
            run_replay(settings, messages, errors, out, with_counts=counts, filled=filled,
                       jobs=processes, reorder=bound, sort=sort)  # fmt: skip
    except OutOfOrder as exc:
        fail(f"{exc.where}: {exc}; re-run with --reorder {_ceil_duration(exc.behind)} or more, "
             "or with --sort to sort the input on disk")  # fmt: skip
    filled.report(sys.stderr)
    if errors.count:
        raise typer.Exit(1)


@contextmanager
def _stdout() -> Iterator[IO[bytes]]:
    """stdout, buffered (with PYTHONUNBUFFERED, as many containers set, each line would be a write)."""
    out = sys.stdout.buffer
    buffered = io.BufferedWriter(out, 1 << 16) if isinstance(out, io.RawIOBase) else None
    try:
        yield buffered or out
    finally:
        (buffered or out).flush()
        if buffered is not None:
            buffered.detach()  # sys.stdout keeps its file


def _jobs(text: str | None) -> int:
    from streams.fanout import default_jobs

    if text is None:
        return default_jobs()
    try:
        jobs = int(text)
    except ValueError:
        fail(f"--jobs must be a whole number of processes, got {text!r}")
    if jobs < 1:
        fail(f"--jobs must be at least 1, got {jobs}")
    return jobs


def _reorder(text: str | None, grace: timedelta) -> timedelta:
    from streams.core.windows import parse_duration

    if text is None:
        return grace
    if text.strip() == "0":
        return timedelta(0)
    try:
        return parse_duration(text)
    except ValueError as exc:
        fail(f"--reorder: {exc}")


def _ceil_duration(span: timedelta) -> str:
    """The span rounded up to whole minutes, hours or days, as --reorder takes it ("50m", "4h", "3d")."""
    from streams.core.windows import format_duration

    return format_duration(math.ceil(span.total_seconds()), "up")


SHORT_HELP = "The short sample: 94 articles over 45 hours (the full one: 458 over 3 days)."  # a test checks


@cli.command()
def demo(
    short: Annotated[bool, typer.Option(help=SHORT_HELP)] = False,
    rate: Annotated[float, typer.Option(help="Articles per second to stream.")] = 40.0,
) -> None:
    """Start a local broker (unless GEOPULSE_KAFKA_BOOTSTRAP is set) and a worker, stream a sample, show it live."""
    from streams.broker import stop_on_sigterm
    from streams.demo.runner import run_demo

    settings = load_settings()
    stop_on_sigterm()  # like Ctrl-C: the broker and worker it started are stopped on the way out
    raise typer.Exit(run_demo(settings, short=short, rate=rate))


@cli.command()
def schemas(
    check: Annotated[bool, typer.Option(help="Only check that schemas/json is up to date.")] = False,
) -> None:
    """Regenerate the JSON Schema files in schemas/json from the pydantic models."""
    import schemas as contracts

    stale = []
    for name, text in contracts.json_schemas().items():
        path = contracts.JSON_DIR / name
        if not path.exists() or path.read_text() != text:
            stale.append(name)
            if not check:
                path.write_text(text)
    if check and stale:
        fail(f"stale JSON Schema files (run `geopulse schemas`): {', '.join(stale)}", code=1)
    verb = "checked" if check else "wrote"
    typer.echo(f"{verb} {len(contracts.json_schemas())} schema files in {contracts.JSON_DIR}")


def main() -> None:
    cli()
