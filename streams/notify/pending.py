"""Durable delivery state and the pure step from one attempt to the next (or to the end).

A `PendingDelivery` is everything needed to resume a delivery after a restart; the worker keeps
the latest one per `key` in the compacted topic `webhooks.retry` (a tombstone once it is
finished) and hands them back to `Notifier.restore` on start. `next_step` decides, from an
attempt's outcome, whether there is a next attempt (a new `PendingDelivery`) or a final
`DeliveryResult` — with a `DeadLetter` for the dead-letter topic when the delivery failed.

>>> from datetime import UTC, datetime
>>> from streams.notify.retry import AttemptOutcome
>>> from streams.notify.config import Endpoint
>>> from streams.notify.delivery import synthetic_alert
>>> t0 = datetime(2022, 1, 5, 10, 0, tzinfo=UTC)
>>> ops = Endpoint(name="ops", url="https://example.org/hook", secret_env="OPS_SECRET")
>>> first = PendingDelivery.new("ops", synthetic_alert("ops", t0), now=t0)
>>> step = next_step(first, AttemptOutcome(status=503), ops, now=t0, rand=lambda: 0.5)
>>> (step.attempt, (step.due_at - t0).total_seconds(), step.last_error)
(1, 5.25, 'HTTP 503')
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas._base import UtcDatetime
from schemas.alert import Alert
from schemas.deadletter import DeadLetter
from streams.notify.config import Endpoint
from streams.notify.retry import AttemptOutcome, verdict_of

DeliveryStatus = Literal["delivered", "failed", "disabled", "skipped"]
SOURCE_TOPIC = "alerts"


class PendingDelivery(BaseModel):
    """One alert on its way to one endpoint: `attempt` attempts made so far, the next one due at `due_at`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    endpoint: str
    delivery_id: str = Field(description="The webhook-id header: the alert's delivery id.")
    alert: Alert
    attempt: int = Field(default=0, ge=0, description="Attempts already made.")
    due_at: UtcDatetime
    created_at: UtcDatetime
    last_error: str | None = None
    last_status: int | None = None

    @classmethod
    def new(cls, endpoint: str, alert: Alert, *, now: datetime) -> PendingDelivery:
        return cls(endpoint=endpoint, delivery_id=alert.delivery_id, alert=alert, due_at=now, created_at=now)

    @property
    def key(self) -> str:
        """Kafka key in `webhooks.retry`: one live record per (endpoint, delivery)."""
        return f"{self.endpoint}|{self.delivery_id}"

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


class DeliveryResult(BaseModel):
    """How a delivery ended (or, for `send_test`, how its single attempt went)."""

    model_config = ConfigDict(frozen=True)

    endpoint: str
    delivery_id: str
    status: DeliveryStatus
    attempts: int
    status_code: int | None = None
    error: str | None = None
    seconds: float = Field(default=0.0, description="Duration of the last attempt.")
    finished_at: UtcDatetime
    dead_letter: DeadLetter | None = None

    @property
    def key(self) -> str:
        return f"{self.endpoint}|{self.delivery_id}"


DEAD_LETTER_KINDS = {"gone": "endpoint_gone", "retry": "max_attempts"}
DEAD_LETTER_REASONS = (
    "max_attempts",
    "endpoint_gone",
    "forbidden_target",
    "redirect",
    "rejected",
    "queue_full",
    "unknown_endpoint",
    "invalid_alert",  # not a delivery's: an `alerts` record that is no Alert (the worker's notify agent)
)
"""Every `error_kind` a delivery's dead letter can carry (metrics declare each at 0)."""
INVALID_ALERT = "invalid_alert"


def next_step(
    pending: PendingDelivery,
    outcome: AttemptOutcome,
    endpoint: Endpoint,
    *,
    now: datetime,
    rand: Callable[[], float],
) -> PendingDelivery | DeliveryResult:
    """The next attempt to make, or the final result, after `outcome` of attempt `pending.attempt + 1`."""
    attempts = pending.attempt + 1
    verdict = verdict_of(outcome)
    if verdict == "delivered":
        return _result(pending, "delivered", attempts, outcome, now)
    if verdict == "retry" and attempts < endpoint.attempts:
        delay = endpoint.retry.next_delay(attempts, outcome, now=now, rand=rand)
        return pending.model_copy(
            update={
                "attempt": attempts,
                "due_at": now + timedelta(seconds=delay),
                "last_error": outcome.describe(),
                "last_status": outcome.status,
            }
        )
    kind = DEAD_LETTER_KINDS.get(verdict) or _rejection_kind(outcome)
    status: DeliveryStatus = "disabled" if verdict == "gone" else "failed"
    letter = dead_letter(pending, kind=kind, error=outcome.describe(), attempts=attempts, at=now)
    return _result(pending, status, attempts, outcome, now, letter)


def _rejection_kind(outcome: AttemptOutcome) -> str:
    if outcome.status is None:
        return "forbidden_target"
    return "redirect" if 300 <= outcome.status < 400 else "rejected"


def _result(
    pending: PendingDelivery,
    status: DeliveryStatus,
    attempts: int,
    outcome: AttemptOutcome,
    now: datetime,
    letter: DeadLetter | None = None,
) -> DeliveryResult:
    return DeliveryResult(
        endpoint=pending.endpoint,
        delivery_id=pending.delivery_id,
        status=status,
        attempts=attempts,
        status_code=outcome.status,
        error=None if status == "delivered" else outcome.describe(),
        seconds=outcome.seconds,
        finished_at=now,
        dead_letter=letter,
    )


def dead_letter(
    pending: PendingDelivery, *, kind: str, error: str, attempts: int, at: datetime, topic: str = SOURCE_TOPIC
) -> DeadLetter:
    """The DeadLetter of a delivery that gave up: the alert JSON, keyed like the alert, with the endpoint."""
    return DeadLetter.from_error(
        pending.alert.to_json(),
        key=pending.alert.key.encode(),
        topic=topic,
        partition=None,
        offset=None,
        stage="notify",
        kind=kind,
        error=error,
        at=at,
        context={"endpoint": pending.endpoint, "delivery_id": pending.delivery_id, "attempts": str(attempts)},
    )


def skipped(pending: PendingDelivery, *, reason: str, now: datetime) -> DeliveryResult:
    """The result of a delivery not attempted because its endpoint is disabled."""
    return _not_attempted(pending, "skipped", reason, now)


def given_up(pending: PendingDelivery, *, kind: str, error: str, now: datetime) -> DeliveryResult:
    """The dead-lettered result of a delivery refused before any (further) attempt."""
    letter = dead_letter(pending, kind=kind, error=error, attempts=pending.attempt, at=now)
    return _not_attempted(pending, "failed", error, now, letter)


def _not_attempted(
    pending: PendingDelivery, status: DeliveryStatus, error: str, now: datetime, letter: DeadLetter | None = None
) -> DeliveryResult:
    return DeliveryResult(endpoint=pending.endpoint, delivery_id=pending.delivery_id, status=status,
                          attempts=pending.attempt, error=error, finished_at=now, dead_letter=letter)  # fmt: skip
