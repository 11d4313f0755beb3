"""What an attempt's outcome means, and how long to wait before the next one (pure).

Classification of one attempt:

    2xx                            delivered
    410 Gone                       gone: the endpoint is disabled, the delivery dead-lettered
    408, 425, 429, 5xx             retry (Retry-After honoured on 429 and 503)
    timeout, connection error      retry (a failed DNS lookup counts as a connection error)
    3xx                            failed for good: redirects are never followed (a redirect
                                   could lead anywhere, past the SSRF guard); fix the URL
    other 4xx                      failed for good: the receiver rejected this exact signed
                                   body and will again; retrying only hammers it. The delivery
                                   is dead-lettered at once, to be replayed after a fix
    forbidden (SSRF guard)         failed for good: the address is a configuration matter

Backoff is exponential with full jitter: before attempt n+1 wait uniform(0, min(cap, base·2^(n-1))).

>>> Backoff(base=2, cap=60).delay(3, rand=lambda: 0.5)
4.0
>>> verdict_of(AttemptOutcome(status=503))
'retry'
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["delivered", "retry", "failed", "gone"]
ErrorKind = Literal["timeout", "connection", "forbidden"]

RETRYABLE_4XX = frozenset({408, 425, 429})
RETRY_AFTER_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class AttemptOutcome:
    """What one attempt produced: an HTTP status, or an error kind when no response came."""

    status: int | None = None
    error: ErrorKind | None = None
    detail: str = ""
    retry_after: str | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if (self.status is None) == (self.error is None):
            raise ValueError(f"AttemptOutcome needs exactly one of status/error, got {self.status!r}/{self.error!r}")

    @property
    def label(self) -> str:
        """A bounded metrics label: '2xx', '3xx', '410', '429', '4xx', '5xx' or the error kind."""
        if self.status is None:
            return str(self.error)
        if self.status in (410, 429):
            return str(self.status)
        return f"{self.status // 100}xx"

    def describe(self) -> str:
        """One line for logs and dead letters."""
        head = f"HTTP {self.status}" if self.status is not None else str(self.error)
        return f"{head}: {self.detail}" if self.detail else head


def verdict_of(outcome: AttemptOutcome) -> Verdict:
    """Classify one attempt (see the module docstring for the table)."""
    status = outcome.status
    if status is None:
        return "failed" if outcome.error == "forbidden" else "retry"
    if 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "gone"
    if status >= 500 or status in RETRYABLE_4XX:
        return "retry"
    return "failed"


class Backoff(BaseModel):
    """Exponential backoff with full jitter; all in seconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: float = Field(default=2.0, gt=0, description="Upper bound of the first wait.")
    cap: float = Field(default=900.0, gt=0, description="Largest upper bound of any wait.")
    retry_after_max: float = Field(default=3600.0, ge=0, description="Longest Retry-After honoured.")

    def delay(self, attempts: int, *, rand: Callable[[], float]) -> float:
        """Wait after `attempts` failed attempts; `rand()` is uniform in [0, 1)."""
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts}")
        return rand() * min(self.cap, self.base * 2.0 ** min(attempts - 1, 64))

    def next_delay(self, attempts: int, outcome: AttemptOutcome, *, now: datetime, rand: Callable[[], float]) -> float:
        """The wait before the next attempt: the receiver's Retry-After if it sent one, else backoff."""
        if outcome.status in RETRY_AFTER_STATUSES and outcome.retry_after is not None:
            asked = parse_retry_after(outcome.retry_after, now)
            if asked is not None:
                return min(asked, self.retry_after_max)
        return self.delay(attempts, rand=rand)


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unreadable.

    >>> from datetime import UTC
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", datetime(2015, 10, 21, 7, 28, tzinfo=UTC))
    30.0
    """
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
