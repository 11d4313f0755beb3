"""PartitionStore: the state survives a crash at any point as the state after some whole flush."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.worker.store import PartitionStore

Ops = list[list[tuple[str, int | None]]]  # flushes of (key, value or None to delete)


class LoggedTable(dict[str, Any]):
    """A table that records every write in order, as a changelog does."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, Any]] = []

    def __setitem__(self, key: str, value: Any) -> None:
        self.log.append((key, value))
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.log.append((key, None))
        super().__delitem__(key)

    def prefix(self, n: int) -> LoggedTable:
        """The table rebuilt from the first `n` changelog records (what a kill -9 may leave)."""
        table = LoggedTable()
        for key, value in self.log[:n]:
            if value is None:
                table.pop(key, None)
                table.log.append((key, None))
            else:
                table[key] = value
        return table


def tiny(table: LoggedTable, partition: int = 0) -> PartitionStore:
    """A store with tiny limits, so records split, and checkpoints happen, every few flushes."""
    return PartitionStore(table, partition, max_record_bytes=40, max_journal=5, min_checkpoint_bytes=60)


def run(store: PartitionStore, table: LoggedTable, ops: Ops) -> list[tuple[int, dict[str, Any]]]:
    """Apply the flushes; for each, (changelog length once its journal is written, state after it)."""
    done = []
    for changes in ops:
        for key, value in changes:
            if value is None:
                store.pop(key, None)
            else:
                store[key] = {"v": value, "pad": "x" * (value % 7)}
        before = len(table.log)
        store.flush()
        journal = [i for i, (key, _) in enumerate(table.log[before:]) if "/j/" in key]
        if journal:
            done.append((before + journal[-1] + 1, dict(store)))
    return done


def expected_after(n: int, start: dict[str, Any], done: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """The state after the last flush whose journal is wholly within the first `n` records."""
    whole = [state for end, state in done if end <= n]
    return whole[-1] if whole else start


flushes = st.lists(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.one_of(st.none(), st.integers(0, 50))), max_size=6),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(first=flushes, second=flushes, data=st.data())
def test_a_crash_anywhere_recovers_the_state_after_a_whole_flush(first: Ops, second: Ops, data: st.DataObject) -> None:
    table = LoggedTable()
    done = run(tiny(table), table, first)
    crash = data.draw(st.integers(0, len(table.log)), label="crash")
    survived = table.prefix(crash)
    recovered = tiny(survived)
    state = expected_after(crash, {}, done)
    assert dict(recovered) == state
    later = run(recovered, survived, second)  # the restarted worker goes on, and crashes again
    again = data.draw(st.integers(crash, len(survived.log)), label="second crash")
    assert dict(tiny(survived.prefix(again))) == expected_after(again, state, [(e, s) for e, s in later if e > crash])


def test_partitions_keep_separate_state_in_one_table() -> None:
    table = LoggedTable()
    stores = [tiny(table, p) for p in range(2)]
    for p, store in enumerate(stores):
        run(store, table, [[(f"k{n}", n + p)] for n in range(20)])
    assert [dict(tiny(table, p)) for p in range(2)] == [dict(s) for s in stores]


@pytest.mark.parametrize(
    ("flushes", "limits", "most_keys"),
    [
        (600, {}, 256 + 1 + 1),  # small changes: a checkpoint every 256 journal records
        (200, {"max_journal": 16, "min_checkpoint_bytes": 10**9}, 16 + 1 + 1),  # journal slots reused
        (200, {"max_journal": 10**9, "min_checkpoint_bytes": 200}, 40),  # checkpoint when journal ≈ state
    ],
)
def test_the_table_stays_bounded_under_a_stream_of_changes(
    flushes: int, limits: dict[str, int], most_keys: int
) -> None:
    table = LoggedTable()
    store = PartitionStore(table, 0, **limits)
    for n in range(flushes):
        store["clock"] = n
        store.flush()
    assert len(table) <= most_keys
    assert dict(PartitionStore(table, 0)) == {"clock": flushes - 1}


def test_one_flush_writes_one_record_for_many_keys() -> None:
    table = LoggedTable()
    store = PartitionStore(table, 3)
    store.update({f"id:{n}": {"exp": n} for n in range(100)})
    store.flush()
    assert [key for key, _ in table.log] == ["3/j/0"]
