"""`geopulse replay`: the worker's core objects run over a file, with no Kafka.

Articles are decoded and tagged exactly as the ingest agent does, then replayed in event-time
order through one SeriesTracker that owns every country (the worker splits the same series over
its partitions; the union of their output is the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Protocol

from schemas import TaggedArticle
from streams.core.config import UNLIMITED, TrackerConfig
from streams.core.ingest import decode_article
from streams.core.replay import replay
from streams.errors import GeopulseError, InvalidMessage
from streams.settings import Settings


def tracker_config(settings: Settings) -> TrackerConfig:
    """The count/detect configuration of the worker and of replay alike.

    Articles from the future are rejected at the ingest edge against the wall clock, so the core
    trusts event time (no clamping relative to stream time): a quiet night is a gap, not a clock error.
    """
    return TrackerConfig(window=settings.window, grace=settings.grace, max_ahead=UNLIMITED)


class ErrorSink(Protocol):
    def __call__(self, where: str, exc: GeopulseError) -> None: ...


def tag_messages(messages: Iterable[tuple[str, bytes]], on_error: ErrorSink) -> Iterator[TaggedArticle]:
    """Decode and tag each message as the ingest agent does; bad ones go to `on_error` and are skipped."""
    from streams.core.tagging import Tagger

    tagger = Tagger.default()
    for where, value in messages:
        try:
            article = decode_article(value, now=None)
        except InvalidMessage as exc:
            on_error(where, exc)
            continue
        yield tagger.tag(article)


def run_replay(
    settings: Settings,
    messages: Iterable[tuple[str, bytes]],
    on_error: ErrorSink,
    out: IO[bytes],
    *,
    with_counts: bool = False,
) -> None:
    """Write one Alert JSON per line, in lifecycle order (and WindowCounts when asked)."""
    for seen in replay(tag_messages(messages, on_error), tracker_config(settings)):
        if with_counts:
            for count in seen.counts:
                out.write(b'{"kind":"count",' + count.to_json()[1:] + b"\n")
        for alert in seen.alerts:
            out.write(alert.to_json() + b"\n")
    out.flush()
