"""Decoding and validating raw `articles` messages at the edge.

Every way a message can be bad has a machine-readable kind, so the dead-letter topic and the
`geopulse_dead_letters_total{reason=...}` metric say why:

>>> from datetime import datetime, timezone
>>> now = datetime(2022, 1, 10, tzinfo=timezone.utc)
>>> decode_article(b'{"id": "a1", "source": "s", "title": "t", "published_at": "2022-01-09T10:00:00Z"}', now=now).id
'a1'
>>> try:
...     decode_article(b"\\xff", now=now)
... except InvalidMessage as exc:
...     print(exc.kind)
invalid_utf8
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson
from pydantic import ValidationError

from schemas import Article, DeadLetter, TaggedArticle
from streams.core.dateline import with_dateline
from streams.core.published import with_zone
from streams.errors import InvalidMessage

MAX_MESSAGE_BYTES = 1_000_000
REASONS = ("too_large", "invalid_utf8", "invalid_json", "not_an_object", "invalid_article", "future_dated")


def decode_article(raw: bytes, *, now: datetime | None, max_future: timedelta = timedelta(minutes=5)) -> Article:
    """The Article in `raw`, or InvalidMessage saying why there is none (`now=None`: no future check)."""
    article = validate_article(decode_object(raw))
    if now is not None and article.published_at > now + max_future:
        raise InvalidMessage(
            "future_dated",
            f"published_at {article.published_at.isoformat()} is more than {max_future} after now ({now.isoformat()})",
        )
    return article


def decode_object(raw: bytes) -> dict[str, Any]:
    """The JSON object in `raw`, or InvalidMessage (too_large, invalid_utf8, invalid_json, not_an_object)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InvalidMessage("too_large", f"message of {len(raw)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidMessage("invalid_utf8", f"not UTF-8: {exc.reason} at byte {exc.start}") from exc
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidMessage("invalid_json", f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidMessage("not_an_object", f"expected a JSON object, got {type(data).__name__}")
    return data


def validate_article(data: dict[str, Any]) -> Article:
    """The Article in a decoded object, with the `published_at` rule of `streams.core.published` applied
    and a separate `dateline` put in front of the body (`streams.core.dateline`)."""
    try:
        return Article.model_validate(with_dateline(with_zone(data)))
    except ValidationError as exc:
        raise InvalidMessage("invalid_article", summarize(exc)) from exc


def summarize(exc: ValidationError, limit: int = 5) -> str:
    """The first `limit` field errors on one line, e.g. `published_at: Input should have timezone info`."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in errors[:limit]]
    more = f" (+{len(errors) - limit} more)" if len(errors) > limit else ""
    return "; ".join(parts) + more


class ArticleTagger(Protocol):
    """What the ingest stage needs of a tagger."""

    def tag(self, article: Article) -> TaggedArticle: ...


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One consumed message, with where it came from (for dead letters)."""

    value: bytes
    key: bytes | None = None
    topic: str = "articles"
    partition: int | None = None
    offset: int | None = None


@dataclass(slots=True)
class IngestResult:
    """What one batch of raw articles became."""

    tagged: list[TaggedArticle] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)  # the input partition of each tagged article
    dead: list[DeadLetter] = field(default_factory=list)
    tagging_seconds: list[float] = field(default_factory=list)


class Ingestor:
    """Turns raw `articles` messages into TaggedArticles, and bad ones into DeadLetters.

    >>> from datetime import timezone
    >>> class Echo:
    ...     def tag(self, a: Article) -> TaggedArticle:
    ...         return TaggedArticle(id=a.id, source=a.source, title=a.title,
    ...                              published_at=a.published_at, tagger_version="echo")
    >>> now = datetime(2022, 1, 10, tzinfo=timezone.utc)
    >>> good = b'{"id": "a1", "source": "s", "title": "t", "published_at": "2022-01-09T10:00:00Z"}'
    >>> result = Ingestor(Echo(), clock=lambda: now).ingest([RawMessage(good), RawMessage(b"{", offset=7)])
    >>> [t.id for t in result.tagged], [(d.error_kind, d.offset) for d in result.dead]
    (['a1'], [('invalid_json', 7)])
    """

    def __init__(
        self,
        tagger: ArticleTagger,
        *,
        clock: Callable[[], datetime],
        max_future: timedelta = timedelta(minutes=5),
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._tagger = tagger
        self._clock = clock
        self._max_future = max_future
        self._timer = timer

    def ingest(self, messages: Sequence[RawMessage]) -> IngestResult:
        result = IngestResult()
        now = self._clock()
        for message in messages:
            try:
                article = decode_article(message.value, now=now, max_future=self._max_future)
            except InvalidMessage as exc:
                result.dead.append(dead_letter(message, exc, at=now))
                continue
            started = self._timer()
            result.tagged.append(self._tagger.tag(article))
            result.origins.append(message.partition or 0)
            result.tagging_seconds.append(self._timer() - started)
        return result


def dead_letter(message: RawMessage, exc: InvalidMessage, *, at: datetime, stage: str = "ingest") -> DeadLetter:
    return DeadLetter.from_error(
        message.value, key=message.key, topic=message.topic, partition=message.partition,
        offset=message.offset, stage=stage, kind=exc.kind, error=str(exc), at=at)  # fmt: skip
