"""One signed attempt of one delivery (`Deliverer`), and `send_test` for `geopulse webhooks test`."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from schemas.alert import Alert
from streams.errors import DeliveryError, ForbiddenTarget
from streams.notify.config import Endpoint
from streams.notify.format import render
from streams.notify.pending import DeliveryResult, PendingDelivery, next_step
from streams.notify.retry import AttemptOutcome
from streams.notify.signing import signature_headers
from streams.notify.transport import AiohttpTransport, Transport, WebhookRequest, WebhookResponse

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DeliveryObserver(Protocol):
    """Told about every attempt (and every skip): endpoint name, bounded outcome label, seconds."""

    def __call__(self, endpoint: str, outcome: str, seconds: float) -> None: ...


class Deliverer:
    """Builds the signed request for an alert and makes one attempt through the transport."""

    def __init__(
        self,
        transport: Transport,
        *,
        clock: Clock = utc_now,
        observer: DeliveryObserver | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._transport = transport
        self._clock = clock
        self._observer = observer
        self._timer = timer

    def request_for(self, endpoint: Endpoint, alert: Alert) -> WebhookRequest:
        """The POST for one attempt, signed with the clock's current time and every active secret."""
        body = render(alert, endpoint.format)
        headers = {"Content-Type": "application/json"}
        if endpoint.secrets:
            stamp = int(self._clock().timestamp())
            headers |= signature_headers(alert.delivery_id, stamp, body, endpoint.secret_values())
        else:
            headers["webhook-id"] = alert.delivery_id
        return WebhookRequest(endpoint.url, body, headers, endpoint.timeout, endpoint.internal)

    async def attempt(self, endpoint: Endpoint, alert: Alert) -> AttemptOutcome:
        """Make one attempt; never raises for a failed delivery, the outcome says what happened."""
        request = self.request_for(endpoint, alert)
        started = self._timer()
        outcome = dataclasses.replace(await self._send(request), seconds=self._timer() - started)
        if self._observer is not None:
            self._observer(endpoint.name, outcome.label, outcome.seconds)
        return outcome

    async def _send(self, request: WebhookRequest) -> AttemptOutcome:
        try:
            # The transport's own timeout is trusted less than this one: a fake or a stuck
            # connection setup must not hold an endpoint's slot forever.
            async with asyncio.timeout(request.timeout + 0.5):
                response = await self._transport.send(request)
        except TimeoutError:
            return AttemptOutcome(error="timeout", detail=f"no response within {request.timeout:g}s")
        except ForbiddenTarget as exc:
            return AttemptOutcome(error="forbidden", detail=str(exc))
        except DeliveryError as exc:
            return AttemptOutcome(error="connection", detail=str(exc))
        return _outcome_of(response)


def _outcome_of(response: WebhookResponse) -> AttemptOutcome:
    status = response.status
    detail = ""
    if 300 <= status < 400:
        detail = f"redirect to {response.headers.get('Location', '?')} not followed"
    elif not 200 <= status < 300:
        detail = " ".join(response.excerpt.split())[:200]
    return AttemptOutcome(status=status, detail=detail, retry_after=response.headers.get("Retry-After"))


def synthetic_alert(endpoint: str, now: datetime) -> Alert:
    """A clearly-marked test alert (country XXX, topic "test") for `send_test`."""
    stamp = int(now.timestamp())
    return Alert.model_validate(
        {
            "alert_id": f"test-{endpoint}-{stamp}",
            "status": "open",
            "country": "XXX",
            "topic": "test",
            "window_start": now,
            "window_end": now,
            "observed": 0,
            "expected": 0.0,
            "ratio": 0.0,
            "score": 0.0,
            "severity": "low",
            "summary": f"TEST event from geopulse to endpoint {endpoint!r}; not a real alert",
            "first_seen": now,
            "last_seen": now,
            "detector": {"name": "webhook-test"},
        }
    )


async def send_test(
    endpoint: Endpoint,
    transport: Transport | None = None,
    *,
    clock: Clock = utc_now,
    observer: DeliveryObserver | None = None,
) -> DeliveryResult:
    """Send one signed test event to `endpoint` (filters ignored, no retries) and say how it went."""
    owned = AiohttpTransport() if transport is None else None
    sender: Transport = owned if owned is not None else transport  # type: ignore[assignment]
    try:
        deliverer = Deliverer(sender, clock=clock, observer=observer)
        alert = synthetic_alert(endpoint.name, clock())
        outcome = await deliverer.attempt(endpoint, alert)
    finally:
        if owned is not None:
            await owned.close()
    single = endpoint.model_copy(update={"max_attempts": 1})
    step = next_step(
        PendingDelivery.new(endpoint.name, alert, now=clock()), outcome, single, now=clock(), rand=lambda: 0
    )
    assert isinstance(step, DeliveryResult)
    return step.model_copy(update={"dead_letter": None})
