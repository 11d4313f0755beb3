"""`geopulse replay`: the worker's core objects run over a file, with no Kafka.

Articles are decoded and tagged exactly as the ingest agent does, then replayed in event-time
order through one IncidentTracker that owns every country (the worker splits the same series over
its partitions; the union of their output is the same).

At archive scale nothing holds the whole input: messages are tagged in chunks on `jobs` processes
(`streams.fanout`, results in input order), put in event-time order by a reorder buffer
(`streams.core.reorder`) or an on-disk sort (`streams.disksort`), and each observation is written
as it comes. Every path gives one order, (event time, article id) (`streams.core.ordering`), the
order a worker counts in whatever its input partitions' speeds, so the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from itertools import islice
from typing import IO, TYPE_CHECKING, Protocol, TypeVar

from schemas import TaggedArticle
from streams.core.ingest import decode_object, validate_article
from streams.core.loose import loosen
from streams.core.ordering import order_key
from streams.core.reorder import Ordered, reordered
from streams.core.replay import replay
from streams.disksort import sorted_on_disk
from streams.errors import GeopulseError, InvalidMessage
from streams.fanout import ordered_map
from streams.settings import Settings, tracker_config

if TYPE_CHECKING:
    from streams.core.series import Observation
    from streams.core.tagging import Tagger

T = TypeVar("T")


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
    messages: Iterable[tuple[str, bytes]], on_error: ErrorSink, filled: FilledFields | None = None, jobs: int = 1
) -> Iterator[TaggedArticle]:
    """Decode (leniently, see `loosen`) and tag each message; bad ones go to `on_error` and are skipped."""
    for _, article in tagged_in_file_order(messages, on_error, filled, jobs):
        yield article


# Messages per task sent to a tagging process: each task costs a round trip through the pool (a
# fraction of a millisecond) besides pickling its articles there and back (~80 µs an article); 128
# articles are ~35 ms of tagging, so the round trip is lost in it, and 4 × jobs tasks in flight
# hold a few MB.
CHUNK = 128


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message the reader could not turn into an Article (the InvalidMessage, as plain data)."""

    kind: str
    message: str


Tagged = tuple[str, T | Rejected, tuple[str, ...]]  # where, the result, the fields the reader filled


def tagged_in_file_order(
    messages: Iterable[tuple[str, bytes]], on_error: ErrorSink, filled: FilledFields | None = None, jobs: int = 1
) -> Iterator[tuple[str, TaggedArticle]]:
    """(where, TaggedArticle) per good message in input order, tagged on `jobs` processes."""
    return _collect(ordered_map(_tag_chunk, _chunks(messages), jobs, initializer=_tagger), on_error, filled)


def tagged_json_in_file_order(
    messages: Iterable[tuple[str, bytes]], on_error: ErrorSink, filled: FilledFields | None = None, jobs: int = 1
) -> Iterator[tuple[str, bytes]]:
    """(where, TaggedArticle JSON) per good message in input order, tagged and encoded on `jobs` processes."""
    return _collect(ordered_map(_tag_chunk_json, _chunks(messages), jobs, initializer=_tagger), on_error, filled)


def _collect(
    results: Iterable[list[Tagged[T]]], on_error: ErrorSink, filled: FilledFields | None
) -> Iterator[tuple[str, T]]:
    filled = filled if filled is not None else FilledFields()
    for chunk in results:
        for where, result, missing in chunk:
            if isinstance(result, Rejected):
                on_error(where, InvalidMessage(result.kind, result.message))
                continue
            filled.counts.update(missing)
            yield where, result


def _chunks(messages: Iterable[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    it = iter(messages)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


@cache
def _tagger() -> Tagger:
    """One Tagger per process (built in each tagging process; ~0.6 s)."""
    from streams.core.tagging import Tagger

    return Tagger.default()


def _tag_chunk(chunk: list[tuple[str, bytes]]) -> list[Tagged[TaggedArticle]]:
    return [_tag_one(where, value) for where, value in chunk]


def _tag_chunk_json(chunk: list[tuple[str, bytes]]) -> list[Tagged[bytes]]:
    return [(where, r if isinstance(r, Rejected) else r.to_json(), missing) for where, r, missing in _tag_chunk(chunk)]


def _tag_one(where: str, value: bytes) -> Tagged[TaggedArticle]:
    try:
        data, missing = loosen(decode_object(value))
        article = validate_article(data)
    except InvalidMessage as exc:
        return where, Rejected(exc.kind, str(exc)), ()
    return where, _tagger().tag(article), tuple(sorted(missing))


def run_replay(
    settings: Settings,
    messages: Iterable[tuple[str, bytes]],
    on_error: ErrorSink,
    out: IO[bytes],
    *,
    with_counts: bool = False,
    filled: FilledFields | None = None,
    jobs: int = 1,
    reorder: timedelta | None = None,
    sort: bool = False,
) -> None:
    """Write one Alert JSON per line, in lifecycle order (and WindowCounts when asked).

    The articles are tagged on `jobs` processes and put in event-time order one of three ways:
    `reorder` given, through a buffer of that much event time (input more out of order than that
    raises OutOfOrder, naming where); `sort`, sorted on disk; neither, sorted in memory. All three
    give (event time, article id) order (`order_key`), so the same bytes.
    """
    tagged = tagged_in_file_order(messages, on_error, filled, jobs)
    articles: Iterable[TaggedArticle]
    if sort:
        articles = Ordered(sorted_on_disk((a for _, a in tagged), key=order_key, prefix="geopulse-replay-"))
    elif reorder is not None:
        articles = reordered(tagged, reorder)
    else:
        articles = [a for _, a in tagged]
    write_replay(replay(articles, tracker_config(settings)), out, with_counts=with_counts)


def write_replay(observations: Iterable[Observation], out: IO[bytes], *, with_counts: bool = False) -> None:
    """Each observation's WindowCounts (when asked) and alert steps, one JSON per line, as they come."""
    for seen in observations:
        if with_counts:
            for count in seen.counts:
                out.write(b'{"kind":"count",' + count.to_json()[1:] + b"\n")
        for alert in seen.alerts:
            out.write(alert.to_json() + b"\n")
    out.flush()
