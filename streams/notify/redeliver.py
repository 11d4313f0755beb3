"""`geopulse webhooks redeliver NAME`: send an endpoint's dead letters again, after an outage is over.

Each delivery goes out once more with its own `webhook-id` (the alert's delivery id, as in every
earlier attempt), so a receiver that already has it drops it: running redeliver twice, or after a
delivery that did arrive but was not acknowledged, never makes a duplicate for a receiver that
deduplicates, as Standard Webhooks asks receivers to.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import ValidationError

from schemas.alert import Alert
from schemas.deadletter import DeadLetter
from streams.notify.config import Endpoint
from streams.notify.delivery import Clock, Deliverer, utc_now
from streams.notify.pending import DeliveryResult, PendingDelivery, next_step
from streams.notify.transport import AiohttpTransport, Transport


def dead_alerts(values: Iterable[bytes | None], endpoint: str, *, since: datetime | None = None) -> list[Alert]:
    """The alerts whose delivery to `endpoint` was dead-lettered (at or after `since`), each once, oldest first.

    `values` are the records of the webhooks dead-letter topic in order; anything that is not a
    notify dead letter of this endpoint is passed over.
    """
    found: dict[str, Alert] = {}
    for value in values:
        letter = _letter(value)
        if letter is None or letter.stage != "notify" or letter.context.get("endpoint") != endpoint:
            continue
        if since is not None and letter.failed_at < since:
            continue
        try:
            alert = Alert.model_validate_json(letter.original_bytes())
        except ValidationError:
            continue
        found.pop(alert.delivery_id, None)  # the newest letter of a delivery decides its place
        found[alert.delivery_id] = alert
    return list(found.values())


def _letter(value: bytes | None) -> DeadLetter | None:
    if not value:
        return None
    try:
        return DeadLetter.model_validate_json(value)
    except ValidationError:
        return None


async def redeliver(
    endpoint: Endpoint, alerts: Iterable[Alert], transport: Transport | None = None, *, clock: Clock = utc_now
) -> list[DeliveryResult]:
    """One signed attempt per alert, one after the other (a receiver just back is not flooded)."""
    owned = AiohttpTransport() if transport is None else None
    sender: Transport = owned if owned is not None else transport  # type: ignore[assignment]
    single = endpoint.model_copy(update={"max_attempts": 1})
    results = []
    try:
        deliverer = Deliverer(sender, clock=clock)
        for alert in alerts:
            outcome = await deliverer.attempt(endpoint, alert)
            pending = PendingDelivery.new(endpoint.name, alert, now=clock())
            step = next_step(pending, outcome, single, now=clock(), rand=lambda: 0.0)
            assert isinstance(step, DeliveryResult)  # one attempt allowed: always the end
            results.append(step.model_copy(update={"dead_letter": None}))
    finally:
        if owned is not None:
            await owned.close()
    return results
