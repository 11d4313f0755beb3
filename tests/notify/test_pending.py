"""The pure step from an attempt's outcome to the next attempt or the final result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas.alert import Alert
from streams.notify.pending import DeliveryResult, PendingDelivery, next_step
from streams.notify.retry import AttemptOutcome
from tests.notify.receivers import endpoint, make_alert

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
EP = endpoint("ops", "https://ops.example/h", max_attempts=3, retry={"waits": [2, 4, 8]})


def first() -> PendingDelivery:
    return PendingDelivery.new("ops", make_alert(), now=T0)


def test_a_pending_delivery_survives_serialisation() -> None:
    pending = next_step(first(), AttemptOutcome(status=500, detail="boom"), EP, now=T0, rand=lambda: 0.0)
    assert isinstance(pending, PendingDelivery)
    again = PendingDelivery.model_validate_json(pending.to_json())
    assert again == pending
    assert isinstance(again.alert, Alert)
    assert again.key == "ops|KAZ|unrest|0.0" and again.delivery_id == make_alert().delivery_id


def test_retry_schedule_until_dead_letter() -> None:
    pending: PendingDelivery | DeliveryResult = first()
    dues = []
    for _ in range(3):
        assert isinstance(pending, PendingDelivery)
        pending = next_step(pending, AttemptOutcome(status=503, detail="busy"), EP, now=T0, rand=lambda: 0.0)
        if isinstance(pending, PendingDelivery):
            dues.append((pending.attempt, pending.due_at - T0, pending.last_error))
    assert dues == [(1, timedelta(seconds=2), "HTTP 503: busy"), (2, timedelta(seconds=4), "HTTP 503: busy")]
    assert isinstance(pending, DeliveryResult)
    assert (pending.status, pending.attempts, pending.status_code) == ("failed", 3, 503)
    letter = pending.dead_letter
    assert letter is not None
    assert (letter.stage, letter.error_kind, letter.error, letter.topic) == (
        "notify",
        "max_attempts",
        "HTTP 503: busy",
        "alerts",
    )
    assert letter.context == {"endpoint": "ops", "delivery_id": "KAZ|unrest|0.0", "attempts": "3"}
    assert Alert.model_validate_json(letter.original_bytes()) == make_alert()
    assert letter.original_key is not None


@pytest.mark.parametrize(
    ("outcome", "status", "kind"),
    [
        (AttemptOutcome(status=200), "delivered", None),
        (AttemptOutcome(status=410), "disabled", "endpoint_gone"),
        (AttemptOutcome(status=302, detail="redirect to x not followed"), "failed", "redirect"),
        (AttemptOutcome(status=401), "failed", "rejected"),
        (AttemptOutcome(status=422), "failed", "rejected"),
        (AttemptOutcome(error="forbidden", detail="127.0.0.1 (loopback)"), "failed", "forbidden_target"),
    ],
)
def test_final_outcomes_on_the_first_attempt(outcome: AttemptOutcome, status: str, kind: str | None) -> None:
    result = next_step(first(), outcome, EP, now=T0, rand=lambda: 0.0)
    assert isinstance(result, DeliveryResult)
    assert (result.status, result.attempts) == (status, 1)
    assert (result.dead_letter.error_kind if result.dead_letter else None) == kind


@pytest.mark.parametrize(
    "outcome", [AttemptOutcome(error="timeout"), AttemptOutcome(error="connection"), AttemptOutcome(status=429)]
)
def test_transient_failures_are_rescheduled(outcome: AttemptOutcome) -> None:
    assert isinstance(next_step(first(), outcome, EP, now=T0, rand=lambda: 0.5), PendingDelivery)


def test_retry_after_sets_the_due_time() -> None:
    step = next_step(first(), AttemptOutcome(status=429, retry_after="17"), EP, now=T0, rand=lambda: 0.0)
    assert isinstance(step, PendingDelivery)
    assert step.due_at == T0 + timedelta(seconds=17)
