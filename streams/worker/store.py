"""The count/detect state of one partition: a dict in memory, made durable as a journal plus checkpoints.

The core changes a few store keys per article (dedupe ids, sketch values, story, expiry bucket,
series). Writing each key as its own changelog record cost most of the worker's producer time, so
the store keeps its state in memory and writes, per `flush()`, *one* journal record holding the
whole change set; now and then a checkpoint writes the whole state in a few large pages and the
journal starts over. Keys in the changelogged table (values are JSON bytes):

    <p>/j/<i>        i-th journal record since the checkpoint: {"seq", "part", "of", "set", "del"}
    <p>/ckpt         {"seq": s, "gen": g, "pages": n}: the state as of flush s is in <p>/g<g>/0..n-1
    <p>/g<g>/<k>     one page of the checkpoint: {key: value, ...}

Recovery loads the checkpoint's pages and applies the complete journal flushes after it in order.
A flush's records are written in order on one changelog partition, so a crash (kill -9 loses the
producer's buffer) leaves a prefix: one flush persists all or nothing, and a checkpoint cut short
leaves the previous one (its generation of pages is only deleted after the new marker). A
checkpoint is written when the journal has grown to `journal_factor` times the state (or has
`max_journal` records), so a checkpoint costs at most 1/factor of the journal's writes and recovery
reads at most about factor + 1 times the state.

>>> table = {}
>>> store = PartitionStore(table, 0)
>>> store["clock"] = {"now": 5}
>>> store.flush()
>>> sorted(table)
['0/j/0']
>>> dict(PartitionStore(table, 0))
{'clock': {'now': 5}}
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import orjson

__all__ = ["PartitionStore"]

_DELETED = object()


class PartitionStore(MutableMapping[str, Any]):
    """One partition's state over a changelogged table (any mutable mapping of str to bytes).

    Values must be JSON-serialisable and are never mutated after they are set (the core writes
    new values), so the journal serialises them at `flush()`. Call `flush()` inside the event's
    context: faust writes a table's changelog to the current event's partition.
    """

    def __init__(
        self,
        table: MutableMapping[str, Any],
        partition: int,
        *,
        max_record_bytes: int = 400_000,
        max_journal: int = 256,
        min_checkpoint_bytes: int = 1_000_000,
        journal_factor: int = 4,
    ) -> None:
        self._table, self._p = table, f"{partition}/"
        self._max_record, self._max_journal = max_record_bytes, max_journal
        self._min_checkpoint, self._factor = min_checkpoint_bytes, journal_factor
        self._data: dict[str, Any] = {}
        self._dirty: dict[str, Any] = {}
        self._seq, self._gen, self._pages, self._state_bytes = 0, 0, 0, 0
        self._logged, self._logged_bytes = 0, 0  # journal records and bytes since the checkpoint
        self._load()

    # -- the mapping (reads and writes stay in memory until flush) -------------------------

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value
        self._dirty[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self._dirty[key] = _DELETED

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # -- durability ------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the changes since the last flush as one journal flush (then maybe a checkpoint)."""
        if not self._dirty:
            return
        self._seq += 1
        for record in journal_records(self._seq, self._dirty, self._max_record):
            self._table[f"{self._p}j/{self._logged}"] = record
            self._logged += 1
            self._logged_bytes += len(record)
        self._dirty.clear()
        due = max(self._factor * self._state_bytes, self._min_checkpoint)
        if self._logged >= self._max_journal or self._logged_bytes >= due:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Write the whole state as pages of a new generation, then the marker; drop the old pages."""
        gen, old_gen, old_pages = 1 - self._gen, self._gen, self._pages
        pages = chunked(list(self._data.items()), self._max_record)
        for k, page in enumerate(pages):
            self._table[f"{self._p}g{gen}/{k}"] = page
        self._drop_pages(gen, start=len(pages))  # leftovers of a checkpoint cut short
        self._table[f"{self._p}ckpt"] = orjson.dumps({"seq": self._seq, "gen": gen, "pages": len(pages)})
        self._drop_pages(old_gen, start=0, stop=old_pages)
        self._gen, self._pages, self._state_bytes = gen, len(pages), sum(len(page) for page in pages)
        self._logged, self._logged_bytes = 0, 0

    def _drop_pages(self, gen: int, start: int, stop: int | None = None) -> None:
        k = start
        while (stop is None or k < stop) and f"{self._p}g{gen}/{k}" in self._table:
            del self._table[f"{self._p}g{gen}/{k}"]
            k += 1

    def _load(self) -> None:
        marker = self._table.get(f"{self._p}ckpt")
        if marker is not None:
            info = orjson.loads(marker)
            self._seq, self._gen, self._pages = info["seq"], info["gen"], info["pages"]
            for k in range(self._pages):
                page = self._table[f"{self._p}g{self._gen}/{k}"]
                self._state_bytes += len(page)
                self._data.update(orjson.loads(page))
        flushes: dict[int, list[dict[str, Any]]] = {}
        while (raw := self._table.get(f"{self._p}j/{self._logged}")) is not None:
            self._logged += 1  # new records go after every present one, stale or not
            record = orjson.loads(raw)
            if record["seq"] > self._seq:
                flushes.setdefault(record["seq"], []).append(record)
        for seq in sorted(flushes):
            parts = flushes[seq]
            if len(parts) == parts[0]["of"]:  # a flush cut short by a crash is skipped
                for part in parts:
                    self._apply(part)
        self._seq = max([self._seq, *flushes])  # never reuse the seq of a skipped flush

    def _apply(self, record: dict[str, Any]) -> None:
        self._data.update(record["set"])
        for key in record["del"]:
            self._data.pop(key, None)


def journal_records(seq: int, changes: dict[str, Any], max_bytes: int) -> list[bytes]:
    """The change set as JSON records of about `max_bytes` at most, each naming its part and their number."""
    sets = [(key, value) for key, value in changes.items() if value is not _DELETED]
    deleted = orjson.dumps([key for key, value in changes.items() if value is _DELETED])
    parts = chunked(sets, max_bytes)
    return [
        b'{"seq":%d,"part":%d,"of":%d,"set":%s,"del":%s}' % (seq, i, len(parts), part, deleted if i == 0 else b"[]")
        for i, part in enumerate(parts)
    ]


def chunked(items: list[tuple[str, Any]], max_bytes: int) -> list[bytes]:
    """The items as JSON objects of about `max_bytes` at most (at least one, maybe empty)."""
    body = orjson.dumps(dict(items))
    if len(body) <= max_bytes or len(items) <= 1:
        return [body]
    n = min(len(items), -(-len(body) // max_bytes))
    step = -(-len(items) // n)
    return [page for i in range(0, len(items), step) for page in chunked(items[i : i + step], max_bytes)]
