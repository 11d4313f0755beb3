"""The health timer: the broker check against real sockets; the lag check through a rebalance."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from aiokafka.errors import IllegalStateError
from faust.types import TP

from streams.broker import free_port
from streams.settings import Settings
from streams.worker.health import broker_reachable, observe_consumer_lag


def test_a_broker_is_reachable_when_any_bootstrap_address_accepts_a_connection() -> None:
    async def check() -> tuple[bool, bool]:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        closed = free_port()
        try:
            up = await broker_reachable(Settings(kafka_bootstrap=f"127.0.0.1:{closed}, 127.0.0.1:{port}"))
            down = await broker_reachable(Settings(kafka_bootstrap=f"127.0.0.1:{closed},nonsense"), timeout=1.0)
        finally:
            server.close()
            await server.wait_closed()
        return up, down

    assert asyncio.run(check()) == (True, False)


def test_the_lag_check_skips_a_partition_revoked_while_it_asks() -> None:
    """aiokafka raises for a partition no longer assigned (a rebalance between reading the assignment and
    asking its position); out of the health timer that crashed the worker, in the kill -9 test."""

    class Consumer:
        def assignment(self) -> set[TP]:
            return {TP("articles", 0), TP("articles", 1), TP("elsewhere", 0)}

        def highwater(self, tp: TP) -> int:
            return 10

        async def position(self, tp: TP) -> int:
            if tp.partition == 1:
                raise IllegalStateError(f"Partition {tp} is not assigned")
            return 4

    measured: list[list[tuple[str, int, int]]] = []
    gp = SimpleNamespace(app=SimpleNamespace(consumer=Consumer()), metrics=SimpleNamespace(lag=measured.append))
    asyncio.run(observe_consumer_lag(gp, {"articles"}))  # type: ignore[arg-type]
    assert measured == [[("articles", 0, 6)]]
