"""Which dead letters `geopulse webhooks redeliver NAME` sends again, and how (real receiver on loopback)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas.deadletter import DeadLetter
from streams.notify.pending import PendingDelivery, dead_letter
from streams.notify.redeliver import dead_alerts, redeliver
from streams.notify.transport import AiohttpTransport
from tests.notify.receivers import Receiver, Reply, endpoint, make_alert

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def letter(n: int, name: str = "ops", at: datetime = T0, **fields: object) -> bytes:
    pending = PendingDelivery.new(name, make_alert(n, **fields), now=at)
    return dead_letter(pending, kind="max_attempts", error="HTTP 503", attempts=8, at=at).to_json()


def test_an_endpoints_letters_each_once_in_the_order_of_their_newest_letter() -> None:
    article_letter = DeadLetter.from_error(b"{bad", key=None, topic="articles", partition=0, offset=1,
                                           stage="ingest", kind="invalid_json", error="x", at=T0).to_json()  # fmt: skip
    values = [letter(1), letter(2, "other"), article_letter, None, b"not json", letter(3), letter(1)]
    assert [a.alert_id for a in dead_alerts(values, "ops")] == ["KAZ|unrest|3", "KAZ|unrest|1"]
    assert [a.alert_id for a in dead_alerts(values, "other")] == ["KAZ|unrest|2"]
    assert dead_alerts(values, "nobody") == []


def test_since_keeps_only_recent_letters() -> None:
    values = [letter(1, at=T0 - timedelta(days=3)), letter(2, at=T0 - timedelta(hours=1))]
    assert [a.alert_id for a in dead_alerts(values, "ops", since=T0 - timedelta(days=1))] == ["KAZ|unrest|2"]


@pytest.mark.asyncio
async def test_each_alert_goes_once_with_its_own_webhook_id_and_a_fresh_signature() -> None:
    alerts = [make_alert(1), make_alert(2)]
    async with Receiver([Reply(204), Reply(503)]) as receiver, AiohttpTransport() as transport:
        results = await redeliver(endpoint("ops", receiver.url), alerts, transport)
    assert receiver.ids == [a.delivery_id for a in alerts]
    assert all(r.ours_ok and r.reference_ok for r in receiver.requests)
    assert [(r.delivery_id, r.status, r.attempts, r.dead_letter) for r in results] == [
        (alerts[0].delivery_id, "delivered", 1, None),
        (alerts[1].delivery_id, "failed", 1, None),  # still on the dead-letter topic: nothing new written
    ]
