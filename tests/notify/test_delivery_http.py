"""Deliveries to real aiohttp receivers on 127.0.0.1, through AiohttpTransport and the Notifier.

Scheduling runs on a ManualClock (retries happen when the test advances it); attempt timeouts
and the slow-endpoint checks use real time, kept short.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import pytest_asyncio

from schemas.alert import Alert
from streams.notify.config import Endpoint
from streams.notify.delivery import send_test
from streams.notify.notifier import Notifier
from streams.notify.transport import AiohttpTransport
from tests.notify.receivers import (
    OLD_SECRET,
    SECRET,
    CompactedJournal,
    ManualClock,
    Receiver,
    Reply,
    endpoint,
    make_alert,
    static_resolver,
)

pytestmark = pytest.mark.timeout(30)


class Rig:
    """A notifier wired to a manual clock, a compacted journal and a real transport."""

    def __init__(self, endpoints: list[Endpoint], transport: AiohttpTransport, clock: ManualClock) -> None:
        self.clock = clock
        self.journal = CompactedJournal()
        self.observed: list[tuple[str, str, float]] = []
        self.notifier = Notifier(
            endpoints,
            transport,
            journal=self.journal,
            clock=clock.now,
            sleep=clock.sleep,
            rand=lambda: 0.0,  # the bottom of the jitter range: waits are exactly the schedule's
            observer=lambda *args: self.observed.append(args),
        )

    async def step(self, seconds: float) -> None:
        """Move the clock and let every attempt that became due finish."""
        self.clock.advance(seconds)
        await self.notifier.wait_idle()


@pytest_asyncio.fixture
async def transport() -> AsyncIterator[AiohttpTransport]:
    async with AiohttpTransport() as t:
        yield t


async def rig_for(transport: AiohttpTransport, *endpoints: Endpoint) -> Rig:
    rig = Rig(list(endpoints), transport, ManualClock())
    await rig.notifier.start()
    return rig


async def deliver(rig: Rig, alert: Alert) -> None:
    await rig.notifier.submit(alert)
    await rig.notifier.wait_idle()


@pytest.mark.asyncio
async def test_200_is_delivered_once_signed_and_verified_by_both_libraries(transport: AiohttpTransport) -> None:
    async with Receiver() as receiver:
        rig = await rig_for(transport, endpoint("ops", receiver.url))
        await deliver(rig, make_alert())
        await rig.notifier.close()
    (request,) = receiver.requests
    assert request.ours_ok and request.reference_ok
    assert request.headers["webhook-id"] == make_alert().delivery_id
    assert int(request.headers["webhook-timestamp"]) == int(rig.clock.t)
    assert Alert.model_validate_json(request.body) == make_alert()
    (result,) = rig.journal.results
    assert (result.status, result.attempts, result.status_code) == ("delivered", 1, 200)
    assert rig.journal.records == {}
    assert [(e, o) for e, o, _ in rig.observed] == [("ops", "2xx")]


@pytest.mark.asyncio
async def test_500_then_200_retries_with_the_same_id_after_the_scheduled_wait(transport: AiohttpTransport) -> None:
    async with Receiver([Reply(500), Reply(500), Reply(200)]) as receiver:
        rig = await rig_for(transport, endpoint("ops", receiver.url, retry={"waits": [2, 4, 8]}))
        await deliver(rig, make_alert())
        assert len(receiver.requests) == 1
        await rig.step(1.9)
        assert len(receiver.requests) == 1  # not due yet
        await rig.step(0.1)
        await rig.step(4)
        await rig.notifier.close()
    assert [r.answered for r in receiver.requests] == [500, 500, 200]
    assert len(set(receiver.ids)) == 1
    start = receiver.stamps[0]
    assert [s - start for s in receiver.stamps] == [0, 2, 6]
    assert all(r.ours_ok and r.reference_ok for r in receiver.requests)  # re-signed per attempt
    assert [r.status for r in rig.journal.results] == ["delivered"]
    assert rig.journal.results[0].attempts == 3


@pytest.mark.asyncio
async def test_429_retry_after_longer_than_the_schedule_is_honoured(transport: AiohttpTransport) -> None:
    clock = ManualClock()
    later = format_datetime(clock.now() + timedelta(seconds=37), usegmt=True)
    script = [Reply(429, {"Retry-After": "7"}), Reply(503, {"Retry-After": later}), Reply(200)]
    async with Receiver(script) as receiver:
        rig = Rig([endpoint("ops", receiver.url, retry={"waits": [2, 4]})], transport, clock)
        await rig.notifier.start()
        await deliver(rig, make_alert())
        await rig.step(6)
        assert len(receiver.requests) == 1
        await rig.step(1)
        assert len(receiver.requests) == 2
        await rig.step(29)  # the HTTP-date is 37 s after the first attempt, 30 s after the second
        assert len(receiver.requests) == 2
        await rig.step(1)
        await rig.notifier.close()
    start = receiver.stamps[0]
    assert [s - start for s in receiver.stamps] == [0, 7, 37]
    assert rig.journal.results[0].status == "delivered"


@pytest.mark.asyncio
async def test_timeouts_are_retried_then_dead_lettered_with_the_last_error(transport: AiohttpTransport) -> None:
    async with Receiver([Reply(200, hold=10)]) as receiver:
        ep = endpoint("slow", receiver.url, timeout=0.2, max_attempts=2, retry={"waits": [1]})
        rig = await rig_for(transport, ep)
        started = time.perf_counter()
        await deliver(rig, make_alert())
        await rig.step(1)
        elapsed = time.perf_counter() - started
        await rig.notifier.close()
    assert len(receiver.requests) == 2
    (result,) = rig.journal.results
    assert (result.status, result.attempts, result.error) == ("failed", 2, "timeout: no response within 0.2s")
    assert result.dead_letter is not None and result.dead_letter.error_kind == "max_attempts"
    assert result.dead_letter.context["endpoint"] == "slow"
    assert elapsed < 3  # two 0.2 s timeouts, not two 10 s holds
    assert [o for _, o, _ in rig.observed] == ["timeout", "timeout"]


@pytest.mark.asyncio
async def test_dead_letter_after_max_attempts_of_500(transport: AiohttpTransport) -> None:
    async with Receiver([Reply(500)]) as receiver:
        rig = await rig_for(transport, endpoint("ops", receiver.url, max_attempts=4, retry={"waits": [1, 2, 3]}))
        await deliver(rig, make_alert())
        for wait in (1, 2, 3):
            await rig.step(wait)
        await rig.step(100)  # nothing left to try
        await rig.notifier.close()
    assert len(receiver.requests) == 4
    (result,) = rig.journal.results
    assert result.status == "failed" and result.dead_letter is not None
    letter = result.dead_letter
    assert (letter.error_kind, letter.stage, letter.error) == ("max_attempts", "notify", "HTTP 500: scripted")
    assert Alert.model_validate_json(letter.original_bytes()) == make_alert()
    assert rig.journal.records == {} and rig.notifier.pending() == []


@pytest.mark.asyncio
async def test_410_disables_the_endpoint_and_later_deliveries_are_skipped(transport: AiohttpTransport) -> None:
    async with Receiver([Reply(410)]) as gone, Receiver() as fine:
        rig = await rig_for(transport, endpoint("gone", gone.url), endpoint("fine", fine.url))
        await deliver(rig, make_alert(0))
        await deliver(rig, make_alert(1))
        await deliver(rig, make_alert(2))
        await rig.notifier.close()
    assert len(gone.requests) == 1 and len(fine.requests) == 3
    assert set(rig.notifier.disabled) == {"gone"}
    assert rig.notifier.skipped["gone"] == 2
    by_status = [(r.endpoint, r.status) for r in rig.journal.results if r.endpoint == "gone"]
    assert by_status == [("gone", "disabled"), ("gone", "skipped"), ("gone", "skipped")]
    first = rig.journal.results[0] if rig.journal.results[0].endpoint == "gone" else rig.journal.results[1]
    assert first.dead_letter is not None and first.dead_letter.error_kind == "endpoint_gone"


@pytest.mark.asyncio
async def test_302_is_a_failure_and_the_redirect_is_not_followed(transport: AiohttpTransport) -> None:
    async with Receiver([Reply(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]) as receiver:
        rig = await rig_for(transport, endpoint("ops", receiver.url))
        await deliver(rig, make_alert())
        await rig.step(3600)
        await rig.notifier.close()
    assert len(receiver.requests) == 1
    (result,) = rig.journal.results
    assert (result.status, result.status_code) == ("failed", 302)
    assert result.dead_letter is not None and result.dead_letter.error_kind == "redirect"
    assert "169.254.169.254" in (result.error or "")


@pytest.mark.asyncio
async def test_a_slow_endpoint_does_not_delay_a_fast_one_nor_the_caller(transport: AiohttpTransport) -> None:
    async with Receiver([Reply(200, hold=10)]) as slow, Receiver() as fast:
        rig = await rig_for(
            transport,
            endpoint("slow", slow.url, timeout=8, max_in_flight=1),
            endpoint("fast", fast.url),
        )
        started = time.perf_counter()
        for n in range(5):
            await rig.notifier.submit(make_alert(n))
        submitted = time.perf_counter() - started
        while len([r for r in rig.journal.results if r.endpoint == "fast"]) < 5:
            await asyncio.wait_for(rig.journal.result_for("fast"), 2)
            await asyncio.sleep(0.01)
        fast_done = time.perf_counter() - started
        assert len(slow.requests) == 1  # one in flight, four queued behind it
        assert not [r for r in rig.journal.results if r.endpoint == "slow"]
        await rig.notifier.close()
    assert submitted < 0.5
    assert fast_done < 2
    assert len(fast.requests) == 5
    # the slow endpoint's deliveries are still pending, to be restored after a restart
    assert {p.endpoint for p in rig.journal.restored()} == {"slow"} and len(rig.journal.restored()) == 5


@pytest.mark.asyncio
async def test_restart_in_the_middle_of_a_retry_schedule_loses_nothing() -> None:
    clock = ManualClock()
    async with Receiver([Reply(500), Reply(503), Reply(200)]) as receiver:
        ep = endpoint("ops", receiver.url, retry={"waits": [2, 4, 8]})
        async with AiohttpTransport() as transport:
            before = Rig([ep], transport, clock)
            await before.notifier.start()
            await deliver(before, make_alert())
            await before.step(2)  # second attempt: 503, third due 4 s later
            await before.notifier.close()
        saved = dict(before.journal.records)  # what the compacted webhooks.retry topic holds
        assert len(saved) == 1 and len(receiver.requests) == 2
        clock.advance(60)  # the old notifier is gone: nothing is sent while the worker is down
        assert len(receiver.requests) == 2

        async with AiohttpTransport() as transport:
            after = Rig([ep], transport, clock)
            after.journal.records = saved
            await after.notifier.restore(after.journal.restored())
            await after.notifier.start()
            await after.notifier.wait_idle()  # overdue: attempted at once
            await after.step(3600)
            await after.notifier.close()
    assert [r.answered for r in receiver.requests] == [500, 503, 200]
    assert len(set(receiver.ids)) == 1 and receiver.ids[0] == make_alert().delivery_id
    assert sum(1 for r in receiver.requests if r.answered == 200) == 1
    (result,) = after.journal.results
    assert (result.status, result.attempts) == ("delivered", 3)
    assert after.journal.records == {}


@pytest.mark.asyncio
async def test_loopback_is_refused_unless_the_endpoint_is_internal(transport: AiohttpTransport) -> None:
    async with Receiver() as receiver:
        rig = await rig_for(transport, endpoint("public", receiver.url, internal=False))
        await deliver(rig, make_alert())
        await rig.notifier.close()
    assert receiver.requests == []
    (result,) = rig.journal.results
    assert result.status == "failed" and result.dead_letter is not None
    assert result.dead_letter.error_kind == "forbidden_target"
    assert "127.0.0.1 (loopback)" in (result.error or "")


@pytest.mark.asyncio
async def test_hostname_resolving_to_the_metadata_address_is_refused_after_dns() -> None:
    resolve = static_resolver({"metadata.test": ["169.254.169.254"]})
    async with AiohttpTransport(resolve) as transport:
        rig = await rig_for(transport, endpoint("meta", "http://metadata.test/latest", internal=False))
        await deliver(rig, make_alert())
        await rig.notifier.close()
    (result,) = rig.journal.results
    assert result.dead_letter is not None and result.dead_letter.error_kind == "forbidden_target"
    assert "metadata.test resolves to 169.254.169.254 (link-local)" in (result.error or "")


@pytest.mark.asyncio
async def test_connection_goes_to_the_checked_address_with_the_original_host() -> None:
    async with Receiver() as receiver:
        resolve = static_resolver({"receiver.test": ["127.0.0.1"]})
        async with AiohttpTransport(resolve) as transport:
            rig = await rig_for(transport, endpoint("ops", f"http://receiver.test:{receiver.port}/hook"))
            await deliver(rig, make_alert())
            await rig.notifier.close()
    assert [r.host for r in receiver.requests] == [f"receiver.test:{receiver.port}"]
    assert rig.journal.results[0].status == "delivered"


@pytest.mark.asyncio
async def test_unresolvable_host_is_retried_as_a_connection_error() -> None:
    async with AiohttpTransport(static_resolver({})) as transport:
        rig = await rig_for(
            transport, endpoint("ops", "http://nowhere.test/hook", max_attempts=2, retry={"waits": [3]})
        )
        await deliver(rig, make_alert())
        await rig.step(3)
        await rig.notifier.close()
    assert [o for _, o, _ in rig.observed] == ["connection", "connection"]
    assert rig.journal.results[0].dead_letter is not None


@pytest.mark.asyncio
async def test_filters_decide_which_endpoints_get_an_alert(transport: AiohttpTransport) -> None:
    async with Receiver() as kaz, Receiver() as severe:
        rig = await rig_for(
            transport,
            endpoint("kaz", kaz.url, filters={"countries": ["KAZ"], "statuses": ["open"]}),
            endpoint("severe", severe.url, filters={"min_severity": "critical"}),
        )
        await deliver(rig, make_alert(0))
        await deliver(rig, make_alert(1, country="RUS", severity="critical"))
        await deliver(rig, make_alert(2, status="resolved", revision=1))
        await rig.notifier.close()
    assert [r.headers["webhook-id"] for r in kaz.requests] == ["KAZ|unrest|0.0"]
    assert [r.headers["webhook-id"] for r in severe.requests] == ["KAZ|unrest|1.0"]


@pytest.mark.asyncio
async def test_rotation_and_slack_format(transport: AiohttpTransport) -> None:
    async with Receiver(secret=OLD_SECRET) as old_side, Receiver() as chat:
        rig = await rig_for(
            transport,
            endpoint("rotating", old_side.url, secrets=[SECRET, OLD_SECRET]),
            endpoint("chat", chat.url, format="slack", secrets=[]),
        )
        await deliver(rig, make_alert())
        await rig.notifier.close()
    (request,) = old_side.requests
    assert request.ours_ok and request.reference_ok
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    body: dict[str, Any] = chat.json()
    assert list(body) == ["text"] and "Kazakhstan · unrest" in body["text"]
    assert "webhook-signature" not in chat.requests[0].headers


@pytest.mark.asyncio
async def test_send_test_reports_the_outcome(transport: AiohttpTransport) -> None:
    async with Receiver([Reply(200), Reply(500)]) as receiver:
        ep = endpoint("ops", receiver.url)
        ok = await send_test(ep, transport)
        bad = await send_test(ep, transport)
    assert (ok.status, ok.attempts, ok.status_code, ok.error) == ("delivered", 1, 200, None)
    assert (bad.status, bad.status_code, bad.dead_letter) == ("failed", 500, None)
    sent = Alert.model_validate_json(receiver.requests[0].body)
    assert sent.status == "open" and sent.summary.startswith("TEST") and sent.country == "XXX"
    assert receiver.requests[0].ours_ok and receiver.requests[0].reference_ok


@pytest.mark.asyncio
async def test_send_test_with_its_own_transport_refuses_a_public_loopback_url() -> None:
    result = await send_test(endpoint("ops", "http://127.0.0.1:9/hook", internal=False))
    assert result.status == "failed" and "loopback" in (result.error or "")


@pytest.mark.asyncio
async def test_the_default_schedule_outlasts_a_20_hour_outage_and_delivers_once(transport: AiohttpTransport) -> None:
    """The receiver fails for 20 hours (manual clock): attempts at the Standard Webhooks times, the 8th lands."""
    async with Receiver([Reply(503)] * 7 + [Reply(204)]) as receiver:
        rig = await rig_for(transport, endpoint("ops", receiver.url))
        await deliver(rig, make_alert())
        for wait in (5, 300, 1800, 7200, 18000, 36000, 36000):
            await rig.step(wait - 1)
            before = len(receiver.requests)
            await rig.step(1)
            assert len(receiver.requests) == before + 1  # each attempt exactly when the schedule says
        await rig.step(86400)
        await rig.notifier.close()
    start = receiver.stamps[0]
    assert [s - start for s in receiver.stamps] == [0, 5, 305, 2105, 9305, 27305, 63305, 99305]
    assert [r.answered for r in receiver.requests] == [503] * 7 + [204]
    assert set(receiver.ids) == {make_alert().delivery_id}
    (result,) = rig.journal.results
    assert (result.status, result.attempts, result.dead_letter) == ("delivered", 8, None)
    assert rig.journal.records == {}
