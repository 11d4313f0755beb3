"""Notifier bookkeeping with an in-process transport (the HTTP path is in test_delivery_http)."""

from __future__ import annotations

import asyncio

import pytest

import streams.notify
from streams.notify.notifier import Notifier
from streams.notify.transport import WebhookRequest, WebhookResponse
from tests.notify.receivers import CompactedJournal, ManualClock, endpoint, make_alert


class ScriptedTransport:
    """Answers every request with `status`; records requests; can be held shut."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[WebhookRequest] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.in_flight = 0
        self.peak = 0

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await self.gate.wait()
        finally:
            self.in_flight -= 1
        return WebhookResponse(self.status)


def notifier(transport: ScriptedTransport, *endpoints: object, **kwargs: object) -> tuple[Notifier, CompactedJournal]:
    clock = ManualClock()
    journal = CompactedJournal()
    n = Notifier(endpoints, transport, journal=journal, clock=clock.now, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]
    return n, journal


@pytest.mark.asyncio
async def test_submit_journals_before_any_attempt_so_a_crash_loses_nothing() -> None:
    transport = ScriptedTransport()
    n, journal = notifier(transport, endpoint("a", "https://a.example/h"))
    created = await n.submit(make_alert())  # not started: no attempt can have happened
    assert [p.key for p in created] == list(journal.records) == ["a|KAZ|unrest|0.0"]
    assert transport.requests == [] and n.pending() == created


@pytest.mark.asyncio
async def test_a_redelivered_alert_is_not_delivered_twice_while_pending() -> None:
    transport = ScriptedTransport()
    n, journal = notifier(transport, endpoint("a", "https://a.example/h"))
    assert len(await n.submit(make_alert())) == 1
    assert await n.submit(make_alert()) == []
    async with n:
        await n.wait_idle()
    assert len(transport.requests) == 1 and len(journal.results) == 1


@pytest.mark.asyncio
async def test_a_full_endpoint_queue_dead_letters_new_deliveries() -> None:
    transport = ScriptedTransport()
    n, journal = notifier(transport, endpoint("a", "https://a.example/h", max_pending=2))
    for i in range(3):
        await n.submit(make_alert(i))
    (result,) = journal.results
    assert result.status == "failed" and result.dead_letter is not None
    assert result.dead_letter.error_kind == "queue_full" and result.delivery_id == "KAZ|unrest|2.0"
    assert len(n.pending()) == 2


@pytest.mark.asyncio
async def test_concurrency_is_bounded_per_endpoint_and_overall() -> None:
    transport = ScriptedTransport()
    transport.gate.clear()
    eps = [endpoint(name, f"https://{name}.example/h", max_in_flight=3) for name in "abc"]
    n, journal = notifier(transport, *eps, limit=5)
    async with n:
        for i in range(10):
            await n.submit(make_alert(i))
        await asyncio.sleep(0.05)
        assert transport.peak == 5  # 3 per endpoint would allow 9; the overall limit is 5
        transport.gate.set()
        await n.wait_idle()
    assert len(journal.results) == 30 and {r.status for r in journal.results} == {"delivered"}


@pytest.mark.asyncio
async def test_one_endpoint_limit_holds() -> None:
    transport = ScriptedTransport()
    transport.gate.clear()
    n, _ = notifier(transport, endpoint("a", "https://a.example/h", max_in_flight=2))
    async with n:
        for i in range(6):
            await n.submit(make_alert(i))
        await asyncio.sleep(0.05)
        assert transport.peak == 2
        transport.gate.set()
        await n.wait_idle()


@pytest.mark.asyncio
async def test_restore_dead_letters_deliveries_for_endpoints_no_longer_configured() -> None:
    transport = ScriptedTransport()
    old, old_journal = notifier(transport, endpoint("gone", "https://g.example/h"))
    await old.submit(make_alert())
    n, journal = notifier(transport, endpoint("a", "https://a.example/h"))
    await n.restore(old_journal.restored())
    (result,) = journal.results
    assert result.dead_letter is not None and result.dead_letter.error_kind == "unknown_endpoint"


@pytest.mark.asyncio
async def test_disable_skips_and_counts_and_reports_to_the_observer() -> None:
    seen: list[tuple[str, str, float]] = []
    transport = ScriptedTransport()
    n, journal = notifier(transport, endpoint("a", "https://a.example/h"), observer=lambda *a: seen.append(a))
    n.disable("a", "operator said so")
    await n.submit(make_alert())
    assert n.skipped["a"] == 1 and n.disabled == {"a": "operator said so"}
    assert journal.results[0].status == "skipped" and "operator said so" in (journal.results[0].error or "")
    assert seen == [("a", "skipped", 0.0)]
    with pytest.raises(ValueError, match="name"):
        n.disable("nope", "x")


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        Notifier([], ScriptedTransport(), limit=0)


def test_package_exports_stay_in_sync() -> None:
    exported = set(streams.notify.__all__)
    assert exported == {name for name in dir(streams.notify) if not name.startswith("_")} - {
        "annotations",
        "config",
        "delivery",
        "format",
        "notifier",
        "pending",
        "redeliver",
        "retry",
        "signing",
        "ssrf",
        "transport",
    }
    assert all(getattr(streams.notify, name) is not None for name in exported)
