"""Benchmark the ingest flow on Dask: pages/s with 1 and 2 workers, and the per-batch overhead.

    python bench/bench_dask.py [--pages 1000] [--dask local:1,local:2] [--repeat 1]

Generates two sources of ``--pages``/2 unique article pages each (``bench/ingest_site.py``,
two seeds, two sitemaps on two ports of 127.0.0.1), and, with a Prefect server kept up (as
``gigawatch serve`` keeps one), measures:

* ``gigawatch run`` into a new DuckDB file without ``--dask`` (Prefect's thread pool, the
  extraction process pool) and with each ``--dask`` spec (a LocalCluster started by the run:
  one crawl shard per worker, one task per batch of ``--batch-size`` pages, by default each
  runner's own: 250, or 500 with ``--dask``): wall seconds, stored articles, pages/s, the
  run's ``timings``, and the ratio of each spec's pages/s to the first spec's (the scaling
  ratio, e.g. local:2 ÷ local:1);
* the per-batch scheduling overhead of the Dask path, on a LocalCluster of the last spec: the
  batches of the stored pages (``warehouse.reextract.read_pages``) are submitted through
  ``flows.runner`` one at a time, each to a task that calls the flow's ``extract`` task
  function and notes when it starts and ends; overhead = (submit → task start) + (task end →
  result back in the flow), against the batch's extraction time (the task's own time), after
  one warm-up batch per worker.

All on this machine: the figures move with its load (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # before Prefect is imported
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_ingest import BIN, Measure, measure, stage_times, stored  # noqa: E402
from ingest_site import generate, serve  # noqa: E402

from flows.serve import local_server  # noqa: E402
from gigawatch.settings import DASK_BATCH_SIZE, DEFAULT_BATCH_SIZE  # noqa: E402


def sources_file(work: Path, bases: list[str], n: int) -> Path:
    path = work / "sources.toml"
    text = ("[crawl]\ndownload_delay = 0\nautothrottle = false\n"
            "concurrent_requests_per_domain = 16\n"
            f"max_pages_per_source = {n + 100}\ndepth_limit = 1\n")  # fmt: skip
    for i, base in enumerate(bases):
        text += (f'\n[[source]]\nname = "bench-{i}"\nsitemaps = ["{base}/sitemap.xml"]\n'
                 'allowed_domains = ["127.0.0.1"]\n')  # fmt: skip
    path.write_text(text, encoding="utf-8")
    return path


def gigawatch_run(
    work: Path, sources: Path, db: Path, api: str, dask: str, batch: int | None
) -> Measure:
    env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_API_URL=api)  # fmt: skip
    cmd = [str(BIN / "gigawatch"), "run", "--sources", str(sources), "--db", str(db)]
    if batch is not None:
        cmd += ["--batch-size", str(batch)]
    if dask:
        cmd += ["--dask", dask]
    return measure(cmd, env=env, cwd=work)


def overhead(
    db: Path, spec: str, sizes: list[int], batches: int
) -> dict[int, list[tuple[float, float, float]]]:
    """Per batch size: (submit → start, end → result, extraction) seconds of each measured
    batch (the stored pages, taken again from the first when a size needs more)."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.heap import run_heap
    from flows.pipeline import PageBatch, extract
    from flows.runner import open_runner, worker_slots
    from warehouse import db as wh
    from warehouse.reextract import read_pages

    @task(cache_policy=NO_CACHE)
    def timed_extract(pages: PageBatch) -> tuple[dict[str, Any], float, float]:
        started = time.time()
        out = extract.fn(pages, None, True)
        return out, started, time.time()

    @flow(name="bench-dask-overhead")
    def measure_batches() -> dict[int, list[tuple[float, float, float]]]:
        con = wh.connect(db, read_only=True)
        try:
            ids = [r[0] for r in con.execute("SELECT article_id FROM documents ORDER BY 1")
                   .fetchall()]  # fmt: skip
            pages = read_pages(con, ids)
        finally:
            con.close()
        out: dict[int, list[tuple[float, float, float]]] = {}
        with open_runner(spec) as runner, run_heap():  # as flows.pipeline.run_pipeline
            warm = worker_slots(runner)
            for size in sizes:
                out[size] = []
                for i in range(warm + batches):
                    chunk = [pages[(i * size + j) % len(pages)] for j in range(size)]
                    sent = time.time()
                    result, started, ended = runner.submit(
                        timed_extract, parameters={"pages": PageBatch(chunk)}
                    ).result()
                    back = time.time()
                    assert len(result) == len({p["fetch_id"] for p in chunk})
                    if i >= warm or size != sizes[0]:  # a worker's first batch loads the tagger
                        out[size].append((started - sent, back - ended, ended - started))
        return out

    return measure_batches()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="articles in all (two sources)")
    parser.add_argument("--dask", default="local:1,local:2", help="comma-separated --dask specs")
    parser.add_argument("--repeat", type=int, default=1, help="runs per runner (the median)")
    parser.add_argument("--batch-size", type=int, help="pages per batch of every run "
                        "(default: each runner's own, 250, or 500 with --dask)")  # fmt: skip
    parser.add_argument("--overhead-batches", type=int, default=6, help="measured per size")
    parser.add_argument("--overhead-sizes", default=f"100,{DEFAULT_BATCH_SIZE},{DASK_BATCH_SIZE}",
                        help="comma-separated batch sizes of the overhead measure")  # fmt: skip
    parser.add_argument("--workdir", type=Path, help="keep the sites and warehouses here")
    args = parser.parse_args()
    specs = [s.strip() for s in args.dask.split(",") if s.strip()]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-dask-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, {args.pages} pages, "
          f"batch {args.batch_size or 'each runner default'}", flush=True)  # fmt: skip
    servers, bases = [], []
    half = args.pages // 2
    for i, n in enumerate((half, args.pages - half)):
        server = serve(work / f"site-{i}", 0)
        host = f"127.0.0.1:{server.server_address[1]}"
        generate(work / f"site-{i}", n, host, seed=7 + i)
        servers.append(server)
        bases.append(f"http://{host}")
    sources = sources_file(work, bases, args.pages)
    rates: dict[str, float] = {}
    last_db = None
    try:
        with local_server() as api:
            print("\n| runner | wall s | articles | pages/s | CPU s | peak MB | timings |")
            print("|---|---|---|---|---|---|---|")
            for spec in ["", *specs]:
                runs = []
                for r in range(args.repeat):
                    db = work / f"run-{spec.replace(':', '') or 'threads'}-{r}.duckdb"
                    for old in (db, db.with_suffix(".duckdb.wal")):
                        old.unlink(missing_ok=True)
                    m = gigawatch_run(work, sources, db, api, spec, args.batch_size)
                    runs.append((m, stored(db), stage_times(db)))
                    last_db = db
                m, n, timings = sorted(runs, key=lambda x: x[0].wall)[len(runs) // 2]
                rates[spec] = n / m.wall
                label = f"--dask {spec}" if spec else "no --dask (threads + process pool)"
                print(f"| {label} | {m.wall:.1f} | {n} | {n / m.wall:.1f} | {m.cpu:.1f} | "
                      f"{m.peak_mb:.0f} | {timings} |", flush=True)  # fmt: skip
            if len(specs) > 1:
                first = rates[specs[0]]
                print("\nscaling: " + ", ".join(
                    f"{s} ÷ {specs[0]} {rates[s] / first:.2f}" for s in specs[1:]))  # fmt: skip
            os.environ["PREFECT_API_URL"] = api
            assert last_db is not None
            spec = specs[-1]
            sizes = [int(x) for x in args.overhead_sizes.split(",")]
            measured = overhead(last_db, spec, sizes, args.overhead_batches)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    print(f"\nper-batch overhead on {spec}, {args.overhead_batches} batches per size, one at "
          "a time (after one warm-up batch per worker):")  # fmt: skip
    print("| batch size | submit → start ms (median) | end → result ms (median) | "
          "extraction ms (median) | overhead % of extraction (all batches) |")  # fmt: skip
    print("|---|---|---|---|---|")
    for size, rows in measured.items():
        starts, backs, exts = zip(*rows, strict=True)
        total = sum(starts) + sum(backs)
        print(f"| {size} | {statistics.median(starts) * 1000:.0f} | "
              f"{statistics.median(backs) * 1000:.0f} | {statistics.median(exts) * 1000:.0f} | "
              f"{100 * total / sum(exts):.1f} |")  # fmt: skip
    print("target: under 5 %")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
