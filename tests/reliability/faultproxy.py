"""A Kafka-protocol proxy in front of the local broker that can make produce requests to chosen topics fail.

The broker advertises the proxy's address, so every client connection (bootstrap, metadata, the
producer, the consumer group) goes through it. Bytes pass unchanged, except Produce requests while
`reject` names topics: their partitions of those topics are cut out of the request, the rest goes on
to the broker, and the broker's answer comes back with an error code added for each partition cut
out, as a broker that refuses a record answers (tansu's schema validation answers INVALID_RECORD
this way). The producer under test sees a real produce response carrying a real error; nothing in
the worker is replaced.

Responses are written in request order (Kafka's protocol, and aiokafka checks it): an answer made
up here waits behind the answers of requests forwarded before it on the same connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka.protocol import produce

from streams.broker import broker_binary, free_port, stop_process

INVALID_RECORD = 87  # what a broker answers for a record it refuses (e.g. tansu's schema validation)
PRODUCE = 0

# aiokafka's own encoders of the Produce API, by version
_REQUESTS: dict[int, Any] = {
    v: getattr(produce, f"ProduceRequest_v{v}") for v in range(9) if hasattr(produce, f"ProduceRequest_v{v}")
}
_RESPONSES: dict[int, Any] = {
    v: getattr(produce, f"ProduceResponse_v{v}") for v in range(9) if hasattr(produce, f"ProduceResponse_v{v}")
}


def _refused(version: int, partition: int, code: int) -> tuple[object, ...]:
    """One partition's entry of a ProduceResponse of `version` saying `code` (no offset)."""
    if version < 2:
        return (partition, code, -1)
    if version < 5:
        return (partition, code, -1, -1)
    if version < 8:
        return (partition, code, -1, -1, -1)
    return (partition, code, -1, -1, -1, [], "refused by the test proxy")


@dataclass
class _Pending:
    """An answer owed to the client: the broker's (maybe with refusals to add), or one made up here."""

    correlation_id: int
    version: int
    refused: list[tuple[str, list[int]]] = field(default_factory=list)
    forwarded: bool = True


@dataclass
class FaultProxy:
    """Forwards 127.0.0.1:`port` to the broker at `upstream`; refuses produce to the topics in `reject`."""

    upstream: int
    port: int = field(default_factory=free_port)
    code: int = INVALID_RECORD
    reject: frozenset[str] = frozenset()
    refusals: int = 0  # partitions refused so far (a produce request names each partition once)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    def start(self) -> FaultProxy:
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", self.port))
            ready.set()
            try:
                loop.run_forever()
            finally:
                server.close()
                loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            broker_r, broker_w = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            client_w.close()
            return
        owed: deque[_Pending] = deque()
        answers = asyncio.create_task(self._answers(broker_r, client_w, owed))
        try:
            while frame := await _read_frame(client_r):
                self._request(frame, broker_w, client_w, owed)
                await broker_w.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            answers.cancel()
            for writer in (broker_w, client_w):
                writer.close()

    def _request(self, frame: bytes, broker_w: asyncio.StreamWriter, client_w: asyncio.StreamWriter,
                 owed: deque[_Pending]) -> None:  # fmt: skip
        api_key, version, correlation_id, client_len = struct.unpack_from(">hhih", frame)
        header = 10 + max(client_len, 0)
        if api_key != PRODUCE or not self.reject or version not in _REQUESTS:
            owed.append(_Pending(correlation_id, version))
            broker_w.write(_framed(frame))
            return
        request = _REQUESTS[version].decode(frame[header:])
        kept = [(topic, parts) for topic, parts in request.topics if topic not in self.reject]
        pending = _Pending(correlation_id, version,
                           [(t, [p for p, _ in parts]) for t, parts in request.topics if t in self.reject])  # fmt: skip
        self.refusals += sum(len(parts) for _, parts in pending.refused)
        if request.required_acks == 0:  # no answer expected: what is refused is simply dropped
            if kept:
                broker_w.write(_framed(frame[:header] + _rebuilt(request, kept)))
            return
        if not pending.refused:
            owed.append(pending)
            broker_w.write(_framed(frame))
        elif kept:
            owed.append(pending)
            broker_w.write(_framed(frame[:header] + _rebuilt(request, kept)))
        else:  # nothing left to forward: answered here, once the answers owed before it are written
            pending.forwarded = False
            owed.append(pending)
            if len(owed) == 1:
                self._flush_made_up(client_w, owed)

    async def _answers(self, broker_r: asyncio.StreamReader, client_w: asyncio.StreamWriter,
                       owed: deque[_Pending]) -> None:  # fmt: skip
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while frame := await _read_frame(broker_r):
                pending = owed.popleft()
                (correlation_id,) = struct.unpack_from(">i", frame)
                assert correlation_id == pending.correlation_id, (correlation_id, pending)
                if pending.refused:
                    response = _RESPONSES[pending.version].decode(frame[4:])
                    topics = list(response.topics) + [
                        (topic, [_refused(pending.version, p, self.code) for p in parts])
                        for topic, parts in pending.refused
                    ]
                    frame = frame[:4] + _RESPONSES[pending.version](topics, *_after_topics(response)).encode()
                client_w.write(_framed(frame))
                self._flush_made_up(client_w, owed)
                await client_w.drain()
        client_w.close()

    def _flush_made_up(self, client_w: asyncio.StreamWriter, owed: deque[_Pending]) -> None:
        while owed and not owed[0].forwarded:
            pending = owed.popleft()
            topics = [(topic, [_refused(pending.version, p, self.code) for p in parts])
                      for topic, parts in pending.refused]  # fmt: skip
            body = _RESPONSES[pending.version](topics, *([0] if pending.version >= 1 else [])).encode()
            client_w.write(_framed(struct.pack(">i", pending.correlation_id) + body))


def _after_topics(response: Any) -> list[object]:
    return [] if response.API_VERSION < 1 else [response.throttle_time_ms]


def _rebuilt(request: Any, topics: list[tuple[str, list[tuple[int, bytes]]]]) -> bytes:
    fields = [getattr(request, name) for name in request.SCHEMA.names]
    fields[request.SCHEMA.names.index("topics")] = topics
    return bytes(type(request)(*fields).encode())


def _framed(frame: bytes) -> bytes:
    return struct.pack(">i", len(frame)) + frame


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    try:
        (size,) = struct.unpack(">i", await reader.readexactly(4))
    except asyncio.IncompleteReadError:
        return b""
    return await reader.readexactly(size)


@contextlib.contextmanager
def broker_behind_proxy(log_dir: Path) -> Iterator[FaultProxy]:
    """A local broker (tansu, memory storage) reachable only through a FaultProxy; the proxy.

    The broker listens on one port and advertises the proxy's, so clients that bootstrap from the
    proxy stay on it.
    """
    broker_port = free_port()
    proxy = FaultProxy(upstream=broker_port).start()
    listen, advertised = f"tcp://127.0.0.1:{broker_port}", f"tcp://127.0.0.1:{proxy.port}"
    with (log_dir / "broker.log").open("ab") as log:
        broker = subprocess.Popen(
            [broker_binary(), "broker", "--listener-url", listen, "--advertised-listener-url", advertised,
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        _wait_listening(broker_port, broker)
        yield proxy
    finally:
        stop_process(broker, grace=5)
        proxy.stop()


def _wait_listening(port: int, broker: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if broker.poll() is not None:
            raise RuntimeError(f"broker exited with {broker.returncode}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.1)
    raise TimeoutError(f"broker not listening on {port} in {timeout:.0f}s")
