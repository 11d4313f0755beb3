"""Repeated warnings and errors: the first of each kind per interval, then one line with the count."""

from __future__ import annotations

import logging

import pytest

from streams.worker.logsummary import RepeatSummary


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def record(msg: str, *args: object, level: int = logging.ERROR, name: str = "aiokafka") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


@pytest.fixture
def logged() -> tuple[logging.Logger, list[str], RepeatSummary, Clock]:
    clock = Clock()
    summary = RepeatSummary(interval=10, clock=clock)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, rec: logging.LogRecord) -> None:
            lines.append(f"{rec.levelname} {rec.getMessage()}")

    logger = logging.getLogger("test-logsummary")
    logger.handlers = [Keep(), Keep()]  # two handlers see the same record: one decision
    logger.propagate = False
    summary.install(logger.handlers)
    summary.install(logger.handlers)  # installing twice filters once
    logging.getLogger("geopulse.logsummary").handlers = logger.handlers
    logging.getLogger("geopulse.logsummary").propagate = False
    return logger, lines, summary, clock


def test_a_storm_of_one_error_is_one_line_then_one_count_per_interval(logged: tuple) -> None:  # type: ignore[type-arg]
    logger, lines, summary, clock = logged
    for second in range(25):
        clock.t = float(second)
        for _ in range(100):
            logger.error("Unable connect to node %s", second % 3)
        summary.flush()
    clock.t = 40.0
    summary.flush()
    once = lines[::2]  # each line went through both handlers
    assert lines[1::2] == once
    # One kind (same template, whatever the node): a line per 10 s carrying the count of the last
    # interval, and once the storm is over, the count of its end.
    assert once == [
        "ERROR Unable connect to node 0",
        "ERROR Unable connect to node 1 [and 999 more like it in the last 10s]",
        "ERROR Unable connect to node 2 [and 999 more like it in the last 10s]",
        "ERROR 499 more like 'Unable connect to node 2' from test-logsummary in the last 10s",
    ]


def test_kinds_are_counted_apart_and_info_is_never_held_back(logged: tuple) -> None:  # type: ignore[type-arg]
    logger, lines, _, _ = logged
    for _ in range(3):
        logger.error("fetch failed: %s", "closed")
        logger.warning("fetch failed: %s", "closed")
        logger.error("metadata failed")
    logger.setLevel(logging.INFO)
    for _ in range(3):
        logger.info("rebalancing")
    assert lines[::2] == ["ERROR fetch failed: closed", "WARNING fetch failed: closed", "ERROR metadata failed",
                          *["INFO rebalancing"] * 3]  # fmt: skip


def test_a_record_after_the_interval_carries_the_count_when_flush_has_not_run(logged: tuple) -> None:  # type: ignore[type-arg]
    logger, lines, summary, clock = logged
    for _ in range(5):
        logger.error("commit failed")
    clock.t = 11.0
    logger.error("commit failed")
    assert lines[::2] == ["ERROR commit failed", "ERROR commit failed [and 4 more like it in the last 10s]"]
    summary.flush()
    assert len(lines) == 4  # nothing left to report


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval"):
        RepeatSummary(interval=0)
