"""Work on every core with the output in input order: an ordered map over worker processes.

`ordered_map(func, items, jobs)` is `map(func, items)` run by `jobs` worker processes. Results come
back in the order of `items`, whatever order the workers finish in, so the output of a run does not
depend on `jobs`. At most `ahead` items are in flight (sent and not yet taken back), so memory stays
bounded when the reader is faster than the workers or the consumer slower than both; the input is
read only as fast as the output is taken. Each item should be a chunk of work (a few hundred
articles), so that the cost of moving it between processes is spread over many.

With `jobs` 1 there are no processes: it is `map`, in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


def default_jobs() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def ordered_map(
    func: Callable[[A], B],
    items: Iterable[A],
    jobs: int,
    *,
    ahead: int | None = None,
    initializer: Callable[[], object] | None = None,
) -> Iterator[B]:
    """`func` over `items` on `jobs` processes, results in input order; `ahead` bounds the items in flight.

    `initializer` runs once in each worker, to build what `func` needs (e.g. the tagger). It is not
    built here first for the workers to inherit: the workers build it in parallel while this process,
    the serial part of a replay, has nothing to do yet, and this process stays small. An error raised
    by `func` is raised here, at its item's turn; closing the iterator stops the workers.
    """
    if jobs <= 1:
        if initializer is not None:
            initializer()
        yield from map(func, items)
        return
    ahead = ahead or 4 * jobs
    forks = "fork" in multiprocessing.get_all_start_methods()  # fast to start; spawn elsewhere
    with multiprocessing.get_context("fork" if forks else None).Pool(jobs, _worker_start, (initializer,)) as pool:
        pending: deque[AsyncResult[B]] = deque()
        for item in items:
            pending.append(pool.apply_async(func, (item,)))
            if len(pending) >= ahead:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _worker_start(initializer: Callable[[], object] | None) -> None:
    # Ctrl-C is the parent's to handle: it closes the pool, which ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer()
