"""The lenient reader of the offline commands: other field names, missing outlet or id, zone-less dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas import Article
from streams.core.ingest import validate_article
from streams.core.loose import loosen
from streams.errors import InvalidMessage


@pytest.mark.parametrize(
    ("given", "field", "value"),
    [
        ({"text": "A body."}, "body", "A body."),
        ({"content": "A body."}, "body", "A body."),
        ({"headline": "Head", "body": "x"}, "title", "Head"),
        ({"body": "First sentence here. Second one."}, "title", "First sentence here."),
        ({"body": ""}, "title", "(untitled)"),
        ({"id": 42, "body": "x"}, "id", "42"),
        ({"agency": "Reuters", "body": "x"}, "source", "Reuters"),
        # times are found under other names and formats; zones follow streams/core/published.py
        ({"date": "26-FEB-1987 15:01:01.79", "body": "x"}, "published_at", "1987-02-26T15:01:01.790000+00:00"),
        ({"date": "1987-02-26T15:01:01", "body": "x"}, "published_at", "1987-02-26T15:01:01+00:00"),
        ({"date": "1987-02-26T15:01:01+02:00", "body": "x"}, "published_at", "1987-02-26T15:01:01+02:00"),
        ({"timestamp": 0, "body": "x"}, "published_at", 0),
        ({"date": "10 Jan 2022 12:05 PM BdST", "body": "x"}, "published_at", "2022-01-10T06:05:00+00:00"),
    ],
)
def test_fields_are_found_or_filled(given: dict[str, object], field: str, value: str) -> None:
    data, _ = loosen(given)
    assert data[field] == value
    validate_article({"published_at": "2022-01-01T00:00:00Z", **data})  # valid once it has a time


def test_the_filled_fields_are_named_and_ids_are_stable() -> None:
    first, filled = loosen({"body": "Police fired tear gas."})
    again, _ = loosen({"body": "Police fired tear gas."})
    assert filled == {"id", "title", "source"}  # never published_at: a time is not made up
    assert first["id"] == again["id"] and first["id"].startswith("sha-")
    complete = {"id": "a", "title": "t", "body": "b", "source": "s", "published_at": "2022-01-01T00:00:00Z"}
    data, filled = loosen(complete)
    assert filled == set()
    assert Article.model_validate(data).published_at == datetime(2022, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ({"body": "Police fired tear gas."}, "published_at: missing"),
        ({"date": "", "body": "x"}, "published_at: missing"),
        ({"date": "sometime", "body": "x"}, "published_at: Input should be a valid datetime"),
        ({"date": "10 Jan 2022 12:05 XYZT", "body": "x"}, "published_at: Input should be a valid datetime"),
    ],
)
def test_an_article_without_a_readable_time_is_invalid_as_in_the_worker(given: dict[str, object], reason: str) -> None:
    data, _ = loosen(given)
    with pytest.raises(InvalidMessage, match=reason) as caught:
        validate_article(data)
    assert caught.value.kind == "invalid_article"
