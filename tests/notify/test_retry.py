"""Outcome classification, backoff with full jitter, and Retry-After (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.notify.retry import AttemptOutcome, Backoff, parse_retry_after, verdict_of

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


@pytest.mark.parametrize(
    ("attempts", "rand", "expected"),
    [
        (1, 1.0, 2.0),
        (2, 1.0, 4.0),
        (3, 1.0, 8.0),
        (6, 1.0, 60.0),  # 64 capped at 60
        (500, 1.0, 60.0),  # no overflow for absurd attempt numbers
        (3, 0.0, 0.0),  # full jitter reaches down to zero
        (3, 0.25, 2.0),
    ],
)
def test_backoff_is_exponential_with_full_jitter_and_cap(attempts: int, rand: float, expected: float) -> None:
    assert Backoff(base=2, cap=60).delay(attempts, rand=lambda: rand) == expected


def test_backoff_matches_brute_force_bound_for_many_draws() -> None:
    import random

    policy = Backoff(base=0.5, cap=30)
    rng = random.Random(7)
    for attempts in range(1, 12):
        bound = min(30.0, 0.5 * 2 ** (attempts - 1))
        draws = [policy.delay(attempts, rand=rng.random) for _ in range(200)]
        assert all(0 <= d <= bound for d in draws)
        assert max(draws) > 0.9 * bound  # the whole range is used, not just its top


def test_backoff_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError, match="attempts"):
        Backoff().delay(0, rand=lambda: 0.5)


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
        (AttemptOutcome(status=429, retry_after="7"), 7.0),
        (AttemptOutcome(status=503, retry_after="Fri, 01 Mar 2024 12:01:00 GMT"), 60.0),
        (AttemptOutcome(status=429, retry_after="999999"), 3600.0),  # capped by retry_after_max
        (AttemptOutcome(status=429, retry_after="garbage"), 4.0),  # unreadable: plain backoff
        (AttemptOutcome(status=500, retry_after="7"), 4.0),  # only 429 and 503 are honoured
        (AttemptOutcome(status=429), 4.0),
    ],
)
def test_next_delay_honours_retry_after_on_429_and_503(outcome: AttemptOutcome, expected: float) -> None:
    assert Backoff(base=2, cap=60).next_delay(2, outcome, now=NOW, rand=lambda: 1.0) == expected
