"""Where a map stage runs: in this process, or in a pool of local worker processes (kg/cluster.py:
on a Dask cluster).

A map stage is a top-level function applied to chunks of items (so it pickles by name); every engine
yields the results in input order, whatever order the workers finish in, so the output does not depend
on the number of workers. Inputs stream: at most a few chunks per worker are in flight at once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Protocol, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
CHUNK_SIZE = 64  # papers per task: large enough to amortise pickling, small enough to spread evenly
IN_FLIGHT_PER_WORKER = 3


class Engine(Protocol):
    """Runs a map stage over chunks, yielding each chunk's result in input order."""

    workers: int

    def map(self, stage: Callable[[list[Item]], Result], chunks: Iterable[list[Item]]) -> Iterator[Result]: ...


def available_cores() -> int:
    """The cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunked(items: Iterable[Item], size: int = CHUNK_SIZE) -> Iterator[list[Item]]:
    """Consecutive lists of `size` items (the last may be shorter), read lazily."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class InProcess:
    """The map stage in this process: no start-up cost, for small inputs and for one core."""

    workers = 1

    def map(self, stage: Callable[[list[Item]], Result], chunks: Iterable[list[Item]]) -> Iterator[Result]:
        return map(stage, chunks)


class LocalPool:
    """The map stage in `workers` local processes (spawned fresh, so no lock or thread of this process
    is inherited); each worker loads what the stage needs once and keeps it for later chunks."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_leave_interrupts_to_the_parent)

    def map(self, stage: Callable[[list[Item]], Result], chunks: Iterable[list[Item]]) -> Iterator[Result]:
        pending: deque[Future] = deque()
        for chunk in chunks:
            pending.append(self._pool.submit(stage, chunk))
            if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _leave_interrupts_to_the_parent() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the pool; a worker prints nothing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def resolve_workers(workers: int, items: int) -> int:
    """The worker processes worth starting: `workers` (0 = every available core), at most one per
    chunk of `items`, and 1 (this process) for a corpus of a single chunk."""
    wanted = workers if workers > 0 else available_cores()
    return max(1, min(wanted, -(-items // CHUNK_SIZE)))
