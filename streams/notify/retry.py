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

The waits follow a schedule (`RetrySchedule`, by default Standard Webhooks': 5 s, 5 min, 30 min,
2 h, 5 h, 10 h, 10 h), each stretched by a little jitter; a Retry-After longer than the wait wins.

>>> RetrySchedule(waits=["5s", "5m", "30m"], jitter=0.1).delay(2, rand=lambda: 0.5)
315.0
>>> verdict_of(AttemptOutcome(status=503))
'retry'
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from streams.core.windows import parse_duration

Verdict = Literal["delivered", "retry", "failed", "gone"]
ErrorKind = Literal["timeout", "connection", "forbidden"]

OUTCOME_LABELS = ("success", "3xx", "4xx", "410", "429", "5xx", "timeout", "connection", "forbidden", "skipped",
                  "queue_full")  # fmt: skip
"""Every outcome label of the webhook delivery metric ("success" is `AttemptOutcome.label` "2xx")."""
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


def _seconds(value: object) -> object:
    """A duration ("5s", "30m", "2h", "1d") or a number of seconds, as seconds."""
    return parse_duration(value).total_seconds() if isinstance(value, str) else value


Seconds = Annotated[float, BeforeValidator(_seconds), Field(ge=0)]

STANDARD_WAITS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
"""Standard Webhooks' schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h."""


class RetrySchedule(BaseModel):
    """The waits between attempts: the first attempt at once, then `waits[n-1]` after the n-th failure.

    The default is the Standard Webhooks schedule: eight attempts spread over 27 h 35 min, which
    outlasts a receiver down for a night. Each wait is stretched by up to `jitter` of itself (never
    shortened), so deliveries that piled up during an outage do not all come back in one second.
    An endpoint allowed more attempts than there are waits repeats the last wait.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    waits: tuple[Seconds, ...] = Field(default=STANDARD_WAITS, min_length=1)
    jitter: float = Field(default=0.1, ge=0, le=1, description="Largest share of a wait added at random.")
    retry_after_max: Seconds = Field(default=86400.0, description="Longest Retry-After honoured.")

    @property
    def attempts(self) -> int:
        """Attempts the schedule makes: the first one and one after each wait."""
        return len(self.waits) + 1

    def span(self, attempts: int | None = None) -> float:
        """Seconds from the first attempt to the last of `attempts` (default: the whole schedule), no jitter."""
        count = self.attempts if attempts is None else attempts
        return sum(self.wait(n) for n in range(1, count))

    def wait(self, attempts: int) -> float:
        """The scheduled wait after `attempts` failed attempts, before jitter."""
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts}")
        return self.waits[min(attempts, len(self.waits)) - 1]

    def delay(self, attempts: int, *, rand: Callable[[], float]) -> float:
        """Wait after `attempts` failed attempts; `rand()` is uniform in [0, 1)."""
        return self.wait(attempts) * (1.0 + self.jitter * rand())

    def next_delay(self, attempts: int, outcome: AttemptOutcome, *, now: datetime, rand: Callable[[], float]) -> float:
        """The wait before the next attempt: the schedule's, or longer if the receiver's Retry-After asks."""
        delay = self.delay(attempts, rand=rand)
        if outcome.status in RETRY_AFTER_STATUSES and outcome.retry_after is not None:
            asked = parse_retry_after(outcome.retry_after, now)
            if asked is not None:
                return max(delay, min(asked, self.retry_after_max))
        return delay

    def scaled(self, factor: float) -> RetrySchedule:
        """The same schedule with every wait multiplied by `factor` (tests run a day-long schedule in seconds)."""
        if factor <= 0:
            raise ValueError(f"factor must be > 0, got {factor}")
        return self.model_copy(
            update={"waits": tuple(w * factor for w in self.waits), "retry_after_max": self.retry_after_max * factor}
        )


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
