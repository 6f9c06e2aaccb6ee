"""The flow process's garbage collector while a run stores its batches.

A run's flow process holds Prefect's, Dask's and DuckDB's modules and the taxonomy (about
200,000 objects), then builds and drops a batch's worth of small objects at a time (results
unpickled from the pool or a Dask worker, rows for the warehouse). With CPython's default
thresholds (700, 10, 10) that allocation triggers a full collection every few thousand new
objects, each one walking the whole heap again: unpickling a 500-page batch's results took
187 ms instead of 29 ms (``bench/bench_results.py``, BENCHMARKS.md). For the length of a run the
objects alive at its start are frozen (``gc.freeze``: never walked again, never freed) and the
first generation collects every :data:`FIRST_GENERATION` allocations; both are put back after.
Cycles are still collected; reference counting frees everything else as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

FIRST_GENERATION = 50_000  # allocations between young collections (CPython's default: 700)


@contextmanager
def run_heap() -> Iterator[None]:
    """Freeze the objects alive now and collect young objects less often, until exit."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(FIRST_GENERATION, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
