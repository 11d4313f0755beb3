"""Outcome classification, the retry schedule with its jitter, and Retry-After (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.notify.retry import STANDARD_WAITS, AttemptOutcome, RetrySchedule, parse_retry_after, verdict_of

NOW = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("outcome", "verdict", "label"),
    [
        (AttemptOutcome(status=200), "delivered", "2xx"),
        (AttemptOutcome(status=204), "delivered", "2xx"),
        (AttemptOutcome(status=301), "failed", "3xx"),
        (AttemptOutcome(status=302), "failed", "3xx"),
        (AttemptOutcome(status=307), "failed", "3xx"),
        (AttemptOutcome(status=400), "failed", "4xx"),
        (AttemptOutcome(status=401), "failed", "4xx"),
        (AttemptOutcome(status=404), "failed", "4xx"),
        (AttemptOutcome(status=408), "retry", "4xx"),
        (AttemptOutcome(status=410), "gone", "410"),
        (AttemptOutcome(status=413), "failed", "4xx"),
        (AttemptOutcome(status=425), "retry", "4xx"),
        (AttemptOutcome(status=429), "retry", "429"),
        (AttemptOutcome(status=500), "retry", "5xx"),
        (AttemptOutcome(status=502), "retry", "5xx"),
        (AttemptOutcome(status=503), "retry", "5xx"),
        (AttemptOutcome(error="timeout"), "retry", "timeout"),
        (AttemptOutcome(error="connection"), "retry", "connection"),
        (AttemptOutcome(error="forbidden"), "failed", "forbidden"),
    ],
)
def test_outcome_classification(outcome: AttemptOutcome, verdict: str, label: str) -> None:
    assert verdict_of(outcome) == verdict
    assert outcome.label == label


def test_outcome_needs_exactly_one_of_status_and_error() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        AttemptOutcome()
    with pytest.raises(ValueError, match="exactly one"):
        AttemptOutcome(status=500, error="timeout")


def test_the_default_schedule_is_standard_webhooks_and_outlasts_a_day() -> None:
    schedule = RetrySchedule()
    assert schedule.waits == (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600) == STANDARD_WAITS
    assert schedule.attempts == 8
    assert schedule.span() == 27 * 3600 + 35 * 60 + 5  # the last attempt 27 h 35 min 5 s after the first
    assert schedule.span(4) == 35 * 60 + 5  # three failures then a success: 35 min 5 s, as the spec says


@pytest.mark.parametrize(
    ("attempts", "rand", "expected"),
    [
        (1, 0.0, 5.0),
        (2, 0.0, 300.0),
        (3, 0.5, 1800.0 * 1.05),
        (7, 0.999, 36000.0 * 1.0999),
        (8, 0.0, 36000.0),  # past the schedule's end the last wait repeats
        (500, 0.0, 36000.0),
    ],
)
def test_waits_follow_the_schedule_and_jitter_only_stretches_them(attempts: int, rand: float, expected: float) -> None:
    assert RetrySchedule().delay(attempts, rand=lambda: rand) == pytest.approx(expected)


def test_jitter_spreads_waits_over_its_whole_range_and_never_shortens_them() -> None:
    import random

    schedule = RetrySchedule(waits=["2s", "1m"], jitter=0.5)
    rng = random.Random(7)
    draws = [schedule.delay(2, rand=rng.random) for _ in range(500)]
    assert all(60 <= d < 90 for d in draws)
    assert min(draws) < 61 and max(draws) > 89  # the whole range is used


def test_durations_are_read_and_a_schedule_scales() -> None:
    schedule = RetrySchedule(waits=["5s", "5m", 7200, "1d"], retry_after_max="1h")
    assert (schedule.waits, schedule.retry_after_max) == ((5, 300, 7200, 86400), 3600)
    small = schedule.scaled(0.001)
    assert small.waits == pytest.approx((0.005, 0.3, 7.2, 86.4)) and small.retry_after_max == pytest.approx(3.6)
    assert small.jitter == schedule.jitter


@pytest.mark.parametrize("bad", [{"waits": []}, {"waits": ["soon"]}, {"waits": [-1]}, {"jitter": 2}])
def test_bad_schedules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RetrySchedule.model_validate(bad)


def test_schedule_rejects_attempt_zero_and_a_zero_scale() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetrySchedule().delay(0, rand=lambda: 0.5)
    with pytest.raises(ValueError, match="factor"):
        RetrySchedule().scaled(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Fri, 01 Mar 2024 12:00:30 GMT", 30.0),
        ("Fri, 01 Mar 2024 11:59:00 GMT", 0.0),  # in the past: retry now
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (AttemptOutcome(status=429, retry_after="70"), 70.0),
        (AttemptOutcome(status=503, retry_after="Fri, 01 Mar 2024 12:02:00 GMT"), 120.0),
        (AttemptOutcome(status=429, retry_after="999999"), 3600.0),  # capped by retry_after_max
        (AttemptOutcome(status=429, retry_after="7"), 60.0),  # shorter than the schedule: the schedule's wait
        (AttemptOutcome(status=429, retry_after="garbage"), 60.0),  # unreadable: the schedule
        (AttemptOutcome(status=500, retry_after="70"), 60.0),  # only 429 and 503 are honoured
        (AttemptOutcome(status=429), 60.0),
    ],
)
def test_next_delay_honours_a_longer_retry_after_on_429_and_503(outcome: AttemptOutcome, expected: float) -> None:
    schedule = RetrySchedule(waits=["5s", "1m"], retry_after_max="1h")
    assert schedule.next_delay(2, outcome, now=NOW, rand=lambda: 0.0) == expected
