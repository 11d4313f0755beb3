"""The faust internals that streams/worker/workarounds.py patches are still there, and still behave as patched.

Each workaround was proven on faust-streaming 0.15.3 (pyproject pins the range). A faust release
that renames, re-signs or fixes what they override fails here, by name, before it can fail in
production as a lost record or a stuck commit.
"""

from __future__ import annotations

import asyncio
import inspect
import tomllib
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import TypeVar

import aiokafka
import faust
import mode
import pytest
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP
from packaging.requirements import Requirement

from streams.settings import Settings
from streams.worker.app import faust_app
from streams.worker.workarounds import (
    FETCH_MAX_WAIT_MS,
    SeekSafeConsumer,
    current_event,
    quiet_worker,
)

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def faust_requirement() -> Requirement:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    (spec,) = [r for r in map(Requirement, project["dependencies"]) if r.name == "faust-streaming"]
    return spec


def test_faust_is_pinned_below_the_next_minor_and_the_installed_one_is_in_range() -> None:
    spec = faust_requirement()
    assert spec.specifier.contains("0.15.3"), "the version the workarounds were proven on"
    assert not spec.specifier.contains("0.16.0"), "a new minor must be proven first (tests/worker/test_workarounds.py)"
    assert spec.specifier.contains(version("faust-streaming"))


def params(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("owner", "name", "parameters", "kind"),
    [
        (aiokafka_driver.AIOKafkaConsumerThread, "_create_worker_consumer", ["self", "transport"], "function"),
        (aiokafka_driver.AIOKafkaConsumerThread, "seek_to_beginning", ["self", "partitions"], "coroutine"),
        (aiokafka_driver.Consumer, "_new_consumer_thread", ["self"], "function"),
        (aiokafka_driver.Consumer, "perform_seek", ["self"], "coroutine"),
        (aiokafka_driver.Consumer, "getmany", ["self", "timeout"], "async generator"),
        (aiokafka_driver.Consumer, "_new_offset", ["self", "tp"], "function"),
        (aiokafka_driver.Consumer, "_is_changelog_tp", ["self", "tp"], "function"),
        (aiokafka_driver.Consumer, "highwaters", ["self", "partitions"], "coroutine"),
        (faust.Worker, "on_startup_finished", ["self"], "coroutine"),
        (faust.Worker, "_on_sigint", ["self"], "function"),
        (faust.Worker, "_on_sigterm", ["self"], "function"),
        # not overridden, but private and read by streams/worker/idleness.py
        (aiokafka_driver.AIOKafkaConsumerThread, "_ensure_consumer", ["self"], "function"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_what_the_workarounds_override_has_the_signature_they_were_written_for(
    owner: type, name: str, parameters: list[str], kind: str
) -> None:
    member = getattr(owner, name, None)
    assert member is not None, f"faust no longer has {owner.__qualname__}.{name}"
    assert params(member) == parameters
    found = (
        "coroutine" if inspect.iscoroutinefunction(member)
        else "async generator" if inspect.isasyncgenfunction(member)
        else "function"
    )  # fmt: skip
    assert found == kind


def test_the_transport_takes_its_consumer_class_from_an_attribute() -> None:
    assert aiokafka_driver.Transport.Consumer is aiokafka_driver.Consumer


def test_aiokafka_reads_the_fetch_wait_from_the_attribute_the_thread_sets() -> None:
    source = inspect.getsource(aiokafka.AIOKafkaConsumer)
    assert "fetch_max_wait_ms=self._fetch_max_wait_ms" in source


def on_a_consumer(check: Callable[[SeekSafeConsumer], Awaitable[T]]) -> T:
    """`check` run on the worker app's consumer (built, never started: no broker needed)."""

    async def run() -> T:
        app = faust_app(Settings(kafka_bootstrap="127.0.0.1:9", app_id="workarounds"))
        consumer = app.consumer
        assert isinstance(consumer, SeekSafeConsumer)
        try:
            return await check(consumer)
        finally:
            consumer._thread.thread_loop.close()  # type: ignore[attr-defined]  # the fetcher thread's, never run

    return asyncio.run(run())


def test_the_worker_consumer_fetches_with_the_short_wait() -> None:
    async def wait_of_a_new_client(consumer: SeekSafeConsumer) -> int:
        client = consumer._thread._create_worker_consumer(consumer.transport)  # type: ignore[attr-defined]
        wait = int(client._fetch_max_wait_ms)
        await client.stop()
        return wait

    assert on_a_consumer(wait_of_a_new_client) == FETCH_MAX_WAIT_MS


def test_faust_still_commits_past_a_missing_record_at_the_committed_offset_and_ours_does_not() -> None:
    """faust-streaming #606: committed offset 10 (the next record to read), 11 and 12 acked, 10 never."""
    tp = TP("articles", 0)

    async def new_offsets(consumer: SeekSafeConsumer) -> tuple[int | None, int | None]:
        found = []
        for new_offset in (lambda: faust_consumer.Consumer._new_offset(consumer, tp), lambda: consumer._new_offset(tp)):
            consumer._committed_offset[tp] = 10
            consumer._acked[tp] = [11, 12]
            consumer._acked_index[tp] = {11, 12}
            found.append(new_offset())
        return found[0], found[1]

    faust_offset, ours = on_a_consumer(new_offsets)
    assert faust_offset == 13, "faust commits past a hole no more (#606 fixed?): revisit SeekSafeConsumer"
    assert ours is None  # held until offset 10 comes back (or HOLE_PATIENCE passes)


class _Event:
    """Stands for a faust event: the context variable holds a weak reference to it."""


def test_current_event_is_what_faust_tables_read() -> None:
    event = _Event()
    with current_event(event):  # type: ignore[arg-type]
        assert faust.current_event() is event
    assert faust.current_event() is None


def test_what_the_stopping_worker_sets_is_what_faust_and_mode_read() -> None:
    """GeopulseWorker: a signal already being handled, the wait for sends, the consumer thread's timeout."""
    assert hasattr(faust.App("probe", autodiscover=False).conf, "stream_wait_empty")
    assert "self._signal_stop_time" in inspect.getsource(mode.Worker)
    assert "stream_wait_empty" in inspect.getsource(faust_consumer)
    assert "self.shutdown_timeout" in inspect.getsource(mode.Service)
    assert "self._thread = " in inspect.getsource(faust_consumer.ThreadDelegateConsumer)


def test_the_worker_has_a_spinner_attribute_to_switch_off() -> None:
    assert "self.spinner" in inspect.getsource(faust.Worker.__init__)
    assert "spinner" in inspect.getsource(faust.Worker.on_setup_root_logger)
    assert quiet_worker.__doc__


class _Assignment:
    """aiokafka's assignment as faust's livelock check reads it: one partition, fetched, no position yet."""

    def __init__(self, tp: aiokafka.TopicPartition) -> None:
        from aiokafka.consumer.subscription_state import TopicPartitionState

        self.state = TopicPartitionState(None)  # a new state awaits its position, as after a seek
        self.state.highwater, self.state.timestamp = 10, 1_000_000
        self.tp, self.active = tp, True

    def state_value(self, tp: aiokafka.TopicPartition) -> object:
        return self.state if tp == self.tp else None


def test_the_livelock_check_skips_a_partition_awaiting_its_position_where_faust_crashes() -> None:
    tp = TP("articles", 0)

    async def verify(consumer: SeekSafeConsumer) -> None:
        assignment = _Assignment(aiokafka.TopicPartition(tp.topic, tp.partition))
        client = SimpleNamespace(_fetcher=SimpleNamespace(_subscriptions=SimpleNamespace(
            subscription=SimpleNamespace(assignment=assignment))))  # fmt: skip
        thread = consumer._thread  # type: ignore[attr-defined]
        thread._ensure_consumer = lambda: client
        thread.time_started = 0.0  # set when the thread starts
        assert not assignment.state.has_valid_position
        assert thread.verify_event_path(1_000.0, tp) is None  # ours: skipped until a position is known
        with pytest.raises(AssertionError):  # faust 0.15.3's own check reads `position`, which asserts
            aiokafka_driver.AIOKafkaConsumerThread.verify_event_path(thread, 1_000.0, tp)

    on_a_consumer(verify)
