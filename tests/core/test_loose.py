"""The lenient reader of the offline commands: other field names, missing outlet or id, zone-less dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas import Article
from streams.core.loose import UNKNOWN_TIME, loosen


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
        ({"date": "26-FEB-1987 15:01:01.79", "body": "x"}, "published_at", "1987-02-26T15:01:01.790000+00:00"),
        ({"date": "1987-02-26T15:01:01", "body": "x"}, "published_at", "1987-02-26T15:01:01+00:00"),
        ({"date": "1987-02-26T15:01:01+02:00", "body": "x"}, "published_at", "1987-02-26T13:01:01+00:00"),
        ({"timestamp": 0, "body": "x"}, "published_at", "1970-01-01T00:00:00+00:00"),
        ({"date": "10 Jan 2022 12:05 PM BdST", "body": "x"}, "published_at", "2022-01-10T06:05:00+00:00"),
        ({"date": "sometime", "body": "x"}, "published_at", UNKNOWN_TIME),
        ({"date": "10 Jan 2022 12:05 XYZT", "body": "x"}, "published_at", UNKNOWN_TIME),
    ],
)
def test_fields_are_found_or_filled(given: dict[str, object], field: str, value: str) -> None:
    data, _ = loosen(given)
    assert data[field] == value
    Article.model_validate(data)  # always a valid article afterwards


def test_the_filled_fields_are_named_and_ids_are_stable() -> None:
    first, filled = loosen({"body": "Police fired tear gas."})
    again, _ = loosen({"body": "Police fired tear gas."})
    assert filled == {"id", "title", "source", "published_at"}
    assert first["id"] == again["id"] and first["id"].startswith("sha-")
    complete = {"id": "a", "title": "t", "body": "b", "source": "s", "published_at": "2022-01-01T00:00:00Z"}
    data, filled = loosen(complete)
    assert filled == set()
    assert Article.model_validate(data).published_at == datetime(2022, 1, 1, tzinfo=UTC)
