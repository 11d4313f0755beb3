"""The broker check of the health timer, against real sockets."""

from __future__ import annotations

import asyncio

from streams.broker import free_port
from streams.settings import Settings
from streams.worker.health import broker_reachable


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
