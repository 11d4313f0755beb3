"""A stable sort that holds a bounded number of items: sorted runs in temporary files, merged.

`sorted_on_disk(items, key)` gives what `sorted(items, key=key)` gives (ties in input order) while
holding at most `run` items and, at the merge, `block` items per run. Items are pickled to the runs;
the temporary directory is removed when the iteration ends, is closed, or fails (a full disk is a
DiskSortError, one line at the command line).
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from streams.errors import DiskSortError

T = TypeVar("T")


def sorted_on_disk(
    items: Iterable[T], key: Callable[[T], Any], *, run: int = 10_000, block: int = 64, prefix: str = "geopulse-sort-"
) -> Iterator[T]:
    """The items in (key, input) order, at most `run` of them in memory while reading.

    Raises DiskSortError when the temporary files cannot be made or written (TMPDIR says where).
    """
    try:
        scratch = tempfile.TemporaryDirectory(prefix=prefix)
    except OSError as exc:  # gettempdir's "no usable temporary directory" is one too
        raise DiskSortError(f"cannot make the sort's temporary directory: {exc}") from exc
    with scratch as tmp:
        runs: list[Path] = []
        batch: list[T] = []
        for item in items:
            batch.append(item)
            if len(batch) >= run:
                runs.append(_write_run(sorted(batch, key=key), Path(tmp) / f"run-{len(runs)}", block))
                batch = []
        last = sorted(batch, key=key)
        del batch
        # heapq.merge prefers the earlier iterable on equal keys: runs are in input order, so ties are too.
        yield from heapq.merge(*(_read_run(path) for path in runs), last, key=key)


def _write_run(items: list[T], path: Path, block: int) -> Path:
    try:
        with path.open("wb") as out:
            for start in range(0, len(items), block):
                pickle.dump(items[start : start + block], out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DiskSortError(f"cannot write the sort's temporary files in {path.parent}: {reason} "
                            "(TMPDIR sets where they go)") from exc  # fmt: skip
    return path


def _read_run(path: Path) -> Iterator[T]:
    with path.open("rb") as run:
        while True:
            try:
                items: list[T] = pickle.load(run)
            except EOFError:
                return
            yield from items
