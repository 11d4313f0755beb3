"""The one `published_at` rule: with a zone it is that instant, without one UTC, none at all invalid."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from streams.core.ingest import decode_article
from streams.core.published import MISSING, with_zone
from streams.errors import GeopulseError, InvalidMessage
from streams.offline import tag_messages

BASE = {"id": "a1", "source": "s", "title": "Troops were sent to Almaty.", "body": "Police fired tear gas."}
NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "instant"),
    [
        ("2022-01-10T06:05:00Z", datetime(2022, 1, 10, 6, 5, tzinfo=UTC)),
        ("2022-01-10T12:05:00+06:00", datetime(2022, 1, 10, 6, 5, tzinfo=UTC)),
        ("2022-01-10T06:05:00", datetime(2022, 1, 10, 6, 5, tzinfo=UTC)),  # no zone: UTC
        ("2022-01-10 06:05", datetime(2022, 1, 10, 6, 5, tzinfo=UTC)),
        (" 2022-01-10T06:05:00 ", datetime(2022, 1, 10, 6, 5, tzinfo=UTC)),
        (1641794700, datetime(2022, 1, 10, 6, 5, tzinfo=UTC)),  # unix seconds are an instant
    ],
)
def test_worker_and_offline_read_the_same_instant(given: object, instant: datetime) -> None:
    raw = orjson.dumps({**BASE, "published_at": given})
    assert decode_article(raw, now=NOW).published_at == instant  # the worker's ingest edge
    [tagged] = tag_messages([("f:1", raw)], on_error=_unexpected)  # geopulse tag / replay
    assert tagged.published_at == instant


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, MISSING),
        ({"published_at": None}, MISSING),
        ({"published_at": ""}, MISSING),
        ({"published_at": "yesterday"}, "published_at: Input should be a valid datetime"),
        ({"published_at": "2022-01-10"}, "published_at: Input should have timezone info"),
    ],
)
def test_worker_and_offline_reject_an_article_without_a_time_alike(fields: dict[str, object], reason: str) -> None:
    raw = orjson.dumps({**BASE, **fields})
    with pytest.raises(InvalidMessage) as live:
        decode_article(raw, now=NOW)
    offline: list[GeopulseError] = []
    assert list(tag_messages([("f:1", raw)], on_error=lambda _, exc: offline.append(exc))) == []
    [exc] = offline
    assert isinstance(exc, InvalidMessage) and (exc.kind, str(exc)) == (live.value.kind, str(live.value))
    assert live.value.kind == "invalid_article" and str(live.value).startswith(reason)


def test_with_zone_leaves_zoned_and_foreign_values_alone() -> None:
    for value in ("2022-01-10T06:05:00Z", "10 Jan 2022", "2022-01-10", 0):
        assert with_zone({"published_at": value}) == {"published_at": value}


def _unexpected(where: str, exc: GeopulseError) -> None:
    raise AssertionError(f"{where}: {exc}")
