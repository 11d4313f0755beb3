"""`Notifier`: fans alerts out to endpoints, schedules retries, and never stalls the caller.

`submit(alert)` only filters, records the new deliveries in the journal and queues them; a
scheduler task starts each attempt when it is due, at most `max_in_flight` per endpoint (and
`limit` overall), each bounded by the endpoint's timeout — so a slow or dead endpoint only ever
delays itself. Every state change goes to the `DeliveryJournal` (the worker writes pending
deliveries to `webhooks.retry` and results to metrics and, when dead-lettered, `webhooks.dlq`);
after a restart `restore()` takes the journal's pending deliveries back. An attempt cut short by
a shutdown is made again after the restart: delivery is at least once, and receivers deduplicate
on webhook-id, which never changes for a delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Protocol

from schemas.alert import Alert
from streams.notify.config import Endpoint
from streams.notify.delivery import Clock, Deliverer, DeliveryObserver, utc_now
from streams.notify.pending import DeliveryResult, PendingDelivery, given_up, next_step, skipped
from streams.notify.retry import verdict_of
from streams.notify.transport import Transport

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


class DeliveryJournal(Protocol):
    """Where delivery state goes: each new or rescheduled delivery, then its result."""

    async def scheduled(self, pending: PendingDelivery) -> None: ...

    async def finished(self, result: DeliveryResult) -> None: ...


class _Lane:
    """One endpoint's deliveries that are due, and how many attempts to it are in flight."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.ready: deque[PendingDelivery] = deque()
        self.in_flight = 0
        self.live = 0


class Notifier:
    """Delivers alerts to the configured endpoints with durable retries."""

    def __init__(
        self,
        endpoints: Iterable[Endpoint],
        transport: Transport,
        *,
        journal: DeliveryJournal | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        observer: DeliveryObserver | None = None,
        limit: int = 64,
    ) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        self._lanes = {e.name: _Lane(e) for e in endpoints}
        self._deliverer = Deliverer(transport, clock=clock, observer=observer)
        self._journal = journal
        self._clock, self._sleep, self._rand, self._observer = clock, sleep, rand, observer
        self._slots = asyncio.Semaphore(limit)
        self._due: list[tuple[float, int, PendingDelivery]] = []
        self._order = itertools.count()
        self._live: dict[str, PendingDelivery] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._scheduler: asyncio.Task[None] | None = None
        self._closing = False
        self._disabled: dict[str, str] = {}
        self.skipped: Counter[str] = Counter()

    # -- the caller's side -------------------------------------------------------------------

    async def submit(self, alert: Alert) -> list[PendingDelivery]:
        """Queue `alert` for every endpoint whose filters accept it; returns the new deliveries."""
        now = self._clock()
        created = []
        for lane in self._lanes.values():
            if lane.endpoint.filters.accepts(alert):
                pending = PendingDelivery.new(lane.endpoint.name, alert, now=now)
                if await self._admit(pending):
                    created.append(pending)
        return created

    async def restore(self, pendings: Iterable[PendingDelivery]) -> None:
        """Take back deliveries a previous run left pending (from the journal)."""
        for pending in pendings:
            if pending.endpoint not in self._lanes:
                error = "endpoint no longer configured"
                await self._finish(given_up(pending, kind="unknown_endpoint", error=error, now=self._clock()))
            elif pending.key not in self._live:
                self._queue(pending)

    def pending(self) -> list[PendingDelivery]:
        """Every unfinished delivery in its last recorded state (what a restart would restore)."""
        return list(self._live.values())

    @property
    def disabled(self) -> Mapping[str, str]:
        """Endpoints disabled in this run (410 Gone or `disable`), with the reason."""
        return dict(self._disabled)

    def disable(self, name: str, reason: str) -> None:
        """Stop delivering to `name`; its queued and future deliveries are skipped and counted."""
        if name not in self._lanes:
            raise ValueError(f"name: no endpoint called {name!r}")
        if name not in self._disabled:
            log.warning("webhook endpoint %s disabled: %s", name, reason)
            self._disabled[name] = reason

    async def _admit(self, pending: PendingDelivery) -> bool:
        if pending.key in self._live:
            return False  # a redelivered alert: the delivery is already under way
        lane = self._lanes[pending.endpoint]
        if pending.endpoint in self._disabled:
            await self._skip(pending)
            return False
        if lane.live >= lane.endpoint.max_pending:
            self._observe(pending.endpoint, "queue_full")
            error = f"endpoint queue full ({lane.live} pending)"
            await self._finish(given_up(pending, kind="queue_full", error=error, now=self._clock()))
            return False
        if self._journal is not None:
            await self._journal.scheduled(pending)
        self._queue(pending)
        return True

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._scheduler is None:
            self._closing = False
            self._scheduler = asyncio.create_task(self._run(), name="webhook-scheduler")

    async def close(self) -> None:
        """Stop now; unfinished deliveries stay in the journal in their last recorded state."""
        self._closing = True
        tasks = [*self._tasks, *([self._scheduler] if self._scheduler else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._scheduler = None

    async def __aenter__(self) -> Notifier:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def wait_idle(self) -> None:
        """Until no attempt is in flight and none is due now (retries later may remain queued); needs `start`."""
        while True:
            self._idle.clear()
            if not self._tasks and not any(lane.ready for lane in self._lanes.values()) and not self._due_now():
                return
            await self._idle.wait()

    # -- scheduling --------------------------------------------------------------------------

    def _queue(self, pending: PendingDelivery) -> None:
        if pending.key not in self._live:
            self._lanes[pending.endpoint].live += 1
        self._live[pending.key] = pending
        heapq.heappush(self._due, (pending.due_at.timestamp(), next(self._order), pending))
        self._wake.set()

    def _due_now(self) -> bool:
        return bool(self._due) and self._due[0][0] <= self._clock().timestamp()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            while self._due_now():
                _, _, pending = heapq.heappop(self._due)
                lane = self._lanes[pending.endpoint]
                lane.ready.append(pending)
                self._fill(lane)
            self._idle.set()
            await self._wait(self._due[0][0] - self._clock().timestamp() if self._due else None)

    async def _wait(self, seconds: float | None) -> None:
        waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(self._wake.wait())]
        if seconds is not None:
            waiters.append(asyncio.ensure_future(self._sleep(max(seconds, 0.0))))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _fill(self, lane: _Lane) -> None:
        while lane.ready and lane.in_flight < lane.endpoint.max_in_flight and not self._closing:
            lane.in_flight += 1
            task = asyncio.create_task(self._attempt(lane, lane.ready.popleft()))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _attempt(self, lane: _Lane, pending: PendingDelivery) -> None:
        try:
            async with self._slots:
                await self._attempt_once(lane.endpoint, pending)
        except Exception:
            log.exception("webhook delivery %s: journal or scheduling failed", pending.key)
        finally:
            # Discarded here, not only in the done callback, so wait_idle never sees a stale task.
            task = asyncio.current_task()
            if task is not None:
                self._tasks.discard(task)
            lane.in_flight -= 1
            self._fill(lane)
            self._idle.set()

    async def _attempt_once(self, endpoint: Endpoint, pending: PendingDelivery) -> None:
        if endpoint.name in self._disabled:
            await self._skip(pending)
            return
        outcome = await self._deliverer.attempt(endpoint, pending.alert)
        if verdict_of(outcome) == "gone":
            self.disable(endpoint.name, outcome.describe())
        step = next_step(pending, outcome, endpoint, now=self._clock(), rand=self._rand)
        if isinstance(step, DeliveryResult):
            await self._finish(step)
            return
        if self._journal is not None:
            await self._journal.scheduled(step)
        self._queue(step)

    async def _skip(self, pending: PendingDelivery) -> None:
        self.skipped[pending.endpoint] += 1
        self._observe(pending.endpoint, "skipped")
        await self._finish(
            skipped(pending, reason=f"endpoint disabled: {self._disabled[pending.endpoint]}", now=self._clock())
        )

    async def _finish(self, result: DeliveryResult) -> None:
        if self._live.pop(result.key, None) is not None:
            self._lanes[result.endpoint].live -= 1
        if result.dead_letter is not None:
            log.warning("webhook delivery %s dead-lettered: %s", result.key, result.error)
        if self._journal is not None:
            await self._journal.finished(result)

    def _observe(self, endpoint: str, outcome: str) -> None:
        if self._observer is not None:
            self._observer(endpoint, outcome, 0.0)
