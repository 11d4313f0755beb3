"""`geopulse replay`: the worker's core objects run over a file, with no Kafka.

Articles are decoded and tagged exactly as the ingest agent does, then replayed in event-time
order through one IncidentTracker that owns every country (the worker splits the same series over
its partitions; the union of their output is the same).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Protocol

from schemas import TaggedArticle
from streams.core.ingest import decode_object, validate_article
from streams.core.loose import loosen
from streams.core.replay import replay
from streams.errors import GeopulseError, InvalidMessage
from streams.settings import Settings, tracker_config


class ErrorSink(Protocol):
    def __call__(self, where: str, exc: GeopulseError) -> None: ...


class FilledFields:
    """Counts the fields the lenient reader had to fill, to say so once at the end."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def report(self, errors: IO[str]) -> None:
        if self.counts:
            filled = ", ".join(f"{name} in {n}" for name, n in sorted(self.counts.items()))
            errors.write(f"geopulse: filled missing fields ({filled} article(s)); see README.md, 'Your own articles'\n")


def tag_messages(
    messages: Iterable[tuple[str, bytes]], on_error: ErrorSink, filled: FilledFields | None = None
) -> Iterator[TaggedArticle]:
    """Decode (leniently, see `loosen`) and tag each message; bad ones go to `on_error` and are skipped."""
    from streams.core.tagging import Tagger

    tagger = Tagger.default()
    filled = filled or FilledFields()
    for where, value in messages:
        try:
            data, missing = loosen(decode_object(value))
            article = validate_article(data)
        except InvalidMessage as exc:
            on_error(where, exc)
            continue
        filled.counts.update(missing)
        yield tagger.tag(article)


def run_replay(
    settings: Settings,
    messages: Iterable[tuple[str, bytes]],
    on_error: ErrorSink,
    out: IO[bytes],
    *,
    with_counts: bool = False,
    filled: FilledFields | None = None,
) -> None:
    """Write one Alert JSON per line, in lifecycle order (and WindowCounts when asked)."""
    for seen in replay(tag_messages(messages, on_error, filled), tracker_config(settings)):
        if with_counts:
            for count in seen.counts:
                out.write(b'{"kind":"count",' + count.to_json()[1:] + b"\n")
        for alert in seen.alerts:
            out.write(alert.to_json() + b"\n")
    out.flush()
