"""Benchmark how a batch's results cross between processes: pickling the extracted and
tagged articles, as a pool worker or a Dask worker sends them to the flow.

    python bench/bench_results.py [--pages 500] [--repeat 5]

Generates ``--pages`` article pages (``bench/ingest_site.py``), extracts and tags them in this
process (``gigawatch.extract.extract_pages``), imports what a run's flow process holds
(Prefect, prefect-dask, DuckDB, the flows), then times ``pickle.dumps`` and ``pickle.loads``
of the batch's results (each copy loaded kept alive, as the flow keeps a batch while it
stores it), median of ``--repeat``, in four settings:

* tags pickled as tuples (``__reduce__`` of Mention, Fact, Candidate) or field by field (the
  slots dataclasses' own state, as before);
* the garbage collector as CPython sets it, or as ``flows.heap.run_heap`` sets it for a run.
"""

from __future__ import annotations

import argparse
import base64
import gc
import os
import pickle
import statistics
import sys
import tempfile
import time
import zlib
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from ingest_site import generate  # noqa: E402


def pages_of(root: Path, n: int) -> list[dict[str, Any]]:
    files = generate(root, n, "bench.test")
    return [{"fetch_id": str(i), "url": f"http://bench.test/{f.relative_to(root)}",
             "source": "bench",
             "body": base64.b64encode(zlib.compress(f.read_bytes(), 6)).decode("ascii")}
            for i, f in enumerate(files)]  # fmt: skip


def timed(results: Any, repeat: int) -> tuple[float, float, int]:
    """Median dumps and loads seconds, and the pickle's size."""
    dumps, loads, keep = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        data = pickle.dumps(results, protocol=5)
        t1 = time.perf_counter()
        keep.append(pickle.loads(data))
        t2 = time.perf_counter()
        dumps.append(t1 - t0)
        loads.append(t2 - t1)
    return statistics.median(dumps), statistics.median(loads), len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from gigawatch.candidates import Candidate
    from gigawatch.extract import extract_pages
    from gigawatch.tagger import Fact, Mention

    with tempfile.TemporaryDirectory(prefix="bench-results-") as tmp:
        pages = pages_of(Path(tmp), args.pages)
    t0 = time.perf_counter()
    results = {e.fetch_id: e for e in extract_pages(pages, workers=1, tag=True)}
    extraction = time.perf_counter() - t0
    import duckdb  # noqa: F401  (a run's flow process holds these)
    import prefect_dask  # noqa: F401

    import flows.ingest  # noqa: F401
    from flows.heap import run_heap

    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; {len(results)} "
          f"articles extracted and tagged in {extraction:.1f} s; {len(gc.get_objects()):,} "
          "objects in this process")  # fmt: skip
    print("\n| tags pickled | collector | dumps ms | loads ms | MB |\n|---|---|---|---|---|")
    reducers = {cls: cls.__dict__["__reduce__"] for cls in (Mention, Fact, Candidate)}
    for tuples in (False, True):
        for cls, reduce in reducers.items():
            if tuples:
                setattr(cls, "__reduce__", reduce)  # noqa: B010
            elif "__reduce__" in cls.__dict__:
                delattr(cls, "__reduce__")
        for name, heap in (("CPython's default", nullcontext), ("run_heap", run_heap)):
            ctx: AbstractContextManager[Any] = heap()
            with ctx:
                dumps, loads, size = timed(results, args.repeat)
            print(
                f"| {'as tuples' if tuples else 'field by field'} | {name} | "
                f"{1000 * dumps:.0f} | {1000 * loads:.0f} | {size / 1e6:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
