"""What the demo shows: the busiest series by stories, and each alert at its peak."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import Alert, WindowCount
from streams.demo.runner import busiest, peaks

T0 = datetime(2022, 1, 4, 3, tzinfo=UTC)


def count(country: str, hour: int, stories: int) -> WindowCount:
    start = T0 + timedelta(hours=hour)
    return WindowCount(country=country, topic="all", window_start=start, window_end=start + timedelta(hours=1),
                       count=stories, stories=stories, sources=1, volume=100, final=False)  # fmt: skip


def step(alert_id: str, revision: int, observed: int, severity: str) -> Alert:
    start = T0 + timedelta(hours=revision)
    return Alert.model_validate({
        "alert_id": alert_id, "revision": revision, "status": "open" if revision == 0 else "update",
        "country": "KAZ", "topic": alert_id, "window_start": start, "window_end": start + timedelta(hours=1),
        "observed": observed, "expected": 1.0, "ratio": observed, "score": 5.0, "severity": severity,
        "summary": f"{alert_id} r{revision}", "first_seen": start, "last_seen": start,
        "detector": {"name": "test"},
    })  # fmt: skip


def test_busiest_sorts_by_stories_before_window() -> None:
    counts = [count("KAZ", 1, 11), count("FRA", 5, 2), count("DEU", 4, 3), count("RUS", 1, 3)]
    assert [(c.country, c.stories) for c in busiest(counts, 3)] == [("KAZ", 11), ("DEU", 3), ("RUS", 3)]


def test_peaks_keeps_each_alerts_worst_step_in_opening_order() -> None:
    alerts = [step("a", 0, 5, "low"), step("b", 0, 4, "low"), step("a", 1, 11, "medium"),
              step("a", 2, 7, "medium"), step("b", 1, 4, "high")]  # fmt: skip
    assert [a.summary for a in peaks(alerts)] == ["a r1", "b r1"]
