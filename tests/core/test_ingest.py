"""The ingest edge: every bad message becomes a dead letter with its reason and original bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from schemas import Article, DigestBatch, TaggedArticle
from streams.core.ingest import Ingestor, RawMessage, decode_article
from streams.errors import InvalidMessage

NOW = datetime(2022, 1, 10, 12, tzinfo=UTC)
GOOD = {"id": "a1", "source": "s", "title": "t", "published_at": "2022-01-10T06:05:00Z"}


def json(data: object) -> bytes:
    return orjson.dumps(data)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"\xff\xfe", "invalid_utf8"),
        (b"", "invalid_json"),
        (b'{"id": ', "invalid_json"),
        (b"[1, 2]", "not_an_object"),
        (b"null", "not_an_object"),
        (json({k: v for k, v in GOOD.items() if k != "published_at"}), "invalid_article"),
        (json(GOOD | {"id": 12}), "invalid_article"),
        (json({k: v for k, v in GOOD.items() if k != "title"}), "invalid_article"),
        (json(GOOD | {"published_at": "2022-01-10T13:00:00Z"}), "future_dated"),
        (json(GOOD | {"published_at": "9999-12-31T23:59:59Z"}), "future_dated"),
        (b" " * 1_000_001, "too_large"),
    ],
)
def test_bad_messages_have_a_reason(raw: bytes, kind: str) -> None:
    with pytest.raises(InvalidMessage) as exc:
        decode_article(raw, now=NOW)
    assert exc.value.kind == kind and str(exc.value)


def test_clock_skew_within_tolerance_is_accepted() -> None:
    raw = json(GOOD | {"published_at": "2022-01-10T12:04:00Z"})
    assert decode_article(raw, now=NOW, max_future=timedelta(minutes=5)).id == "a1"
    assert decode_article(json(GOOD | {"published_at": "2030-01-01T00:00:00Z"}), now=None).id == "a1"


class UpperTagger:
    """A real (if tiny) tagger: the ingest stage must call it once per valid article."""

    def __init__(self) -> None:
        self.calls = 0

    def tag(self, article: Article) -> TaggedArticle:
        self.calls += 1
        return TaggedArticle(id=article.id, source=article.source, title=article.title.upper(),
                             published_at=article.published_at, tagger_version="upper")  # fmt: skip


def test_ingest_tags_good_and_dead_letters_bad_in_order() -> None:
    tagger = UpperTagger()
    messages = [
        RawMessage(json(GOOD), key=b"a1", partition=0, offset=1),
        RawMessage(b"\x00\xff", key=None, partition=1, offset=2),
        RawMessage(json(GOOD | {"id": "a2"}), key=b"a2", partition=0, offset=3),
    ]
    result = Ingestor(tagger, clock=lambda: NOW).ingest(messages)
    assert [t.id for t in result.tagged] == ["a1", "a2"] and tagger.calls == 2
    assert result.tagged[0].title == "T"
    [dead] = result.dead
    assert (dead.partition, dead.offset, dead.error_kind, dead.stage) == (1, 2, "invalid_utf8", "ingest")
    assert dead.original_bytes() == b"\x00\xff"
    assert len(result.tagging_seconds) == 2


def test_digests_drop_events_and_split_by_size() -> None:
    tagged = [TaggedArticle(id=f"a{i}", source="s", title="t" * 500, published_at=NOW, tagger_version="v")
              for i in range(50)]  # fmt: skip
    messages = DigestBatch.encode(tagged, max_bytes=5_000)
    batches = [DigestBatch.model_validate_json(m) for m in messages]
    assert len(batches) > 1 and all(len(m) <= 5_000 + 1_000 for m in messages)
    assert [a.id for b in batches for a in b.articles] == [t.id for t in tagged]
