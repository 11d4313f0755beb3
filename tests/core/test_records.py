"""The typed store records of series.py and the series key read and write exactly today's JSON."""

from __future__ import annotations

import json
from datetime import timedelta

from streams.core.keys import SeriesKey
from streams.core.series import Clock, SeriesRecord, SeriesTracker, TrackerConfig
from tests.core.test_series import T0, background, burst, run


def test_clock_and_series_records_round_trip_the_stored_json_of_a_busy_stream() -> None:
    tracker = SeriesTracker(TrackerConfig())
    run(tracker, [*background(7, 60, 30), *burst("KAZ", T0 + timedelta(hours=50), 12)])
    store = tracker.store
    records = {name: value for name, value in store.items() if name.startswith("s:")}
    assert store["clock"]["closed"] > 0 and len(records) > 10
    assert json.dumps(Clock.from_json(store["clock"]).to_json()) == json.dumps(store["clock"])
    for name, value in records.items():
        assert json.dumps(SeriesRecord.from_json(value).to_json()) == json.dumps(value)
        key = SeriesKey.parse(name.removeprefix("s:"))
        assert f"s:{key}" == name and key.country.isupper() and "|" not in key.country


def test_a_tracker_resumed_from_its_stored_json_continues_as_if_never_stopped() -> None:
    articles = background(3, 40, 25)
    whole = SeriesTracker(TrackerConfig())
    first = run(whole, articles)
    half = SeriesTracker(TrackerConfig())
    run(half, articles[: len(articles) // 2])
    resumed = SeriesTracker(TrackerConfig(), store=json.loads(json.dumps(dict(half.store))))
    rest = run(resumed, articles[len(articles) // 2 :])
    assert [o.counts for o in rest] == [o.counts for o in first[len(first) - len(rest) :]]
    assert json.dumps(dict(resumed.store), sort_keys=True) == json.dumps(dict(whole.store), sort_keys=True)
