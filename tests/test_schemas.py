"""The wire contracts: JSON Schema files in sync, unknown fields ignored, UTC on output."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from pydantic import ValidationError

import schemas
from schemas import Alert, Article, DeadLetter, Event, TaggedArticle, WindowCount


def test_json_schema_files_are_in_sync_with_the_models() -> None:
    expected = schemas.json_schemas()
    on_disk = {p.name: p.read_text() for p in schemas.JSON_DIR.glob("*.schema.json")}
    assert on_disk == expected, "stale schemas/json: run `geopulse schemas`"


def test_every_topic_model_is_exported_and_versioned() -> None:
    for model in schemas.TOPIC_MODELS.values():
        assert model.__name__ in schemas.__all__
        assert "schema_version" in model.model_fields


def article(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "a1", "source": "Reuters", "title": "Troops sent",
                               "published_at": "2022-01-10T12:05:00+06:00"}  # fmt: skip
    return base | fields


def test_unknown_article_fields_are_ignored() -> None:
    parsed = Article.model_validate(article(shares=12, nested={"x": 1}))
    assert parsed.id == "a1" and not hasattr(parsed, "shares")


def test_timestamps_are_normalised_to_utc_on_output() -> None:
    parsed = Article.model_validate(article())
    assert parsed.published_at == datetime(2022, 1, 10, 6, 5, tzinfo=UTC)
    assert orjson.loads(parsed.to_json())["published_at"] == "2022-01-10T06:05:00Z"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"published_at": "2022-01-10T12:05:00"}, "published_at"),  # naive: which zone?
        ({"id": ""}, "id"),
        ({"title": None}, "title"),
        ({"published_at": "yesterday"}, "published_at"),
        ({"body": "x" * 500_001}, "body"),
        ({"authors": "Jane Doe"}, "authors"),
    ],
)
def test_invalid_articles_name_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Article.model_validate(article(**fields))
    assert exc.value.errors()[0]["loc"][0] == field


def test_models_round_trip_through_json() -> None:
    now = datetime(2022, 1, 10, tzinfo=UTC)
    tagged = TaggedArticle(id="a", source="s", title="t", published_at=now, tagger_version="v")
    count = WindowCount(country="KAZ", topic="unrest", window_start=now, window_end=now + timedelta(hours=1),
                        count=3, stories=2, sources=2, volume=40)  # fmt: skip
    for model in (tagged, count):
        assert type(model).model_validate_json(model.to_json()) == model
    assert count.key == "KAZ|unrest"


def test_dead_letter_keeps_the_original_bytes() -> None:
    raw = b"\xff\x00not json"
    dead = DeadLetter.from_error(raw, key=b"\x01", topic="articles", partition=2, offset=7, stage="ingest",
                                 kind="invalid_utf8", error="bad", at=datetime(2022, 1, 1, tzinfo=UTC))  # fmt: skip
    again = DeadLetter.model_validate_json(dead.to_json())
    assert again.original_bytes() == raw
    assert base64.b64decode(again.original_key or "") == b"\x01"


def test_alert_delivery_id_changes_per_lifecycle_step() -> None:
    now = datetime(2022, 1, 10, tzinfo=UTC)
    alert = Alert(alert_id="x1", status="open", country="KAZ", topic="unrest", window_start=now,
                  window_end=now, observed=5, expected=0.5, ratio=10, score=4.2, severity="high",
                  summary="s", first_seen=now, last_seen=now, detector={"name": "d"})  # fmt: skip
    assert alert.delivery_id == "x1.0"
    assert alert.model_copy(update={"revision": 1}).delivery_id == "x1.1"


@pytest.mark.parametrize(
    ("reported", "negated", "counts"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_an_event_counts_only_when_reported_and_not_negated(reported: bool, negated: bool, counts: bool) -> None:
    event = Event(type="PROTEST", cameo="14", trigger="marched", sentence="Thousands marched.",
                  negated=negated, reported=reported, confidence=0.9)  # fmt: skip
    assert event.counts is counts
    version_1 = Event.model_validate_json(event.model_dump_json(exclude={"reported"}))  # every event reported
    assert version_1.counts is not negated
