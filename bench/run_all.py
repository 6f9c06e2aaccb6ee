"""Run every benchmark with the settings BENCHMARKS.md reports: ``make bench``.

Each benchmark is its own script (``bench/bench_*.py``, runnable alone with ``--help``); this
runs them one after the other in fresh processes and prints their output. ``--quick`` uses
smaller sizes for a smoke run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = {
    "bench_extract.py": [],
    "bench_tagging.py": ["--n", "3000", "--repeat", "3"],
    "bench_dedupe.py": ["--sizes", "10000,100000,1000000"],
    "bench_views.py": [],
    "bench_ingest.py": ["--pages", "2000", "--repeat", "3", "--scaling", "500,2000,10000"],
    "bench_ccnews.py": ["--records", "1000", "--warcs", "8", "--dask", "local:1,local:2"],
    "bench_dask.py": ["--pages", "1000", "--dask", "local:1,local:2"],
    "bench_results.py": ["--pages", "500", "--repeat", "5"],
}
QUICK = {
    "bench_extract.py": [],
    "bench_tagging.py": ["--n", "500"],
    "bench_dedupe.py": ["--sizes", "10000"],
    "bench_views.py": ["--n", "100000", "--db", "data/bench-views-quick.duckdb", "--regenerate"],
    "bench_ingest.py": ["--pages", "200", "--repeat", "1"],
    "bench_ccnews.py": ["--records", "120", "--warcs", "4", "--dask", "local:1"],
    "bench_dask.py": ["--pages", "200", "--dask", "local:1,local:2", "--overhead-batches", "2"],
    "bench_results.py": ["--pages", "50", "--repeat", "2"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("only", nargs="*", help="run only these scripts (e.g. bench_extract.py)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    failed = 0
    for script, extra in plan.items():
        if args.only and script not in args.only:
            continue
        path = HERE / script
        if not path.exists():
            print(f"== {script}: missing", flush=True)
            failed += 1
            continue
        print(f"== {script} {' '.join(extra)}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(path), *extra])
        print(f"== {script}: exit {code}, {time.monotonic() - started:.0f} s\n", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
