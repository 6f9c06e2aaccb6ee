"""The one process-pool idiom: spawned workers, bounded work in flight, results in order.

Workers are started with the ``spawn`` method, never forked: by the time a pool starts, the
process holds DuckDB and Prefect threads (and their locks), which a forked child would inherit
in whatever state they were in. A spawned worker starts a fresh interpreter and imports the
module of the function it runs, so a pool that serves many batches (extraction's) is created
once per process and reused; pools for one job (retag, restory) live for that job.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

K = TypeVar("K")
A = TypeVar("A")
R = TypeVar("R")


def cpu_count() -> int:
    """Workers to use when none are configured: one per CPU."""
    return os.cpu_count() or 1


def process_pool(
    workers: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, each running ``initializer(*initargs)`` first.

    A worker ends itself when the process that started it is gone (killed with SIGKILL, it
    could not shut the pool down): idle workers otherwise wait on their queue forever."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )


def _start_worker(
    parent: int, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
) -> None:
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def bounded_map(
    pool: ProcessPoolExecutor | None,
    fn: Callable[[A], R],
    items: Iterable[tuple[K, A]],
    in_flight: int,
) -> Iterator[tuple[K, R]]:
    """``(key, fn(arg))`` for each ``(key, arg)`` of ``items``, in order, computed over ``pool``
    (in this process when it is None).

    ``items`` is consumed lazily: at most ``in_flight`` tasks are submitted and not yet
    yielded, so a long stream (every text of the warehouse) never sits in the queue at once.
    A result is yielded as soon as it and those before it are done, so the caller works
    while the pool computes the next ones; only the key stays here, the argument goes to the
    worker.
    """
    if pool is None:
        for key, arg in items:
            yield key, fn(arg)
        return
    pending: deque[tuple[K, Future[R]]] = deque()
    for key, arg in items:
        pending.append((key, pool.submit(fn, arg)))
        while pending and (len(pending) >= in_flight or pending[0][1].done()):
            done_key, fut = pending.popleft()
            yield done_key, fut.result()
    while pending:
        done_key, fut = pending.popleft()
        yield done_key, fut.result()
