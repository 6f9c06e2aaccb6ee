"""Benchmark the CC-NEWS backfill: WARC records/s per worker, against a plain warcio +
trafilatura loop on the same files.

    python bench/bench_ccnews.py [--records 1000] [--warcs 8] [--other 0.2] [--dask local:1,local:2]

Writes ``--warcs`` gzipped WARC files holding ``--records`` response records (each with its
request record, as CC-NEWS does) under ``crawl-data/CC-NEWS/2025/06/`` with a
``warc.paths.gz``: article pages of 20-80 KB from ``bench/ingest_site.py``'s generator, a share
``--other`` of them on hosts that are not a configured source. Then measures, each in a fresh
process, on the same files:

* a plain loop: warcio's ArchiveIterator over each file, ``trafilatura.extract`` on every HTTP
  200 HTML response of the source's host, in one process;
* the backfill flow (``backfill(origin="cc-news")``: list, read one WARC per task, extract and
  tag, dedupe, store in DuckDB) over the folder with the local runner (tasks in threads,
  extraction over the process pool of one worker per core);
* the same flow with ``dask=local:N`` for each N of ``--dask`` (a LocalCluster of N one-thread
  worker processes; each task reads, extracts and tags its WARC in the worker).

Prints, for each: seconds, response records/s, and records/s per worker (the plain loop and
``local:1`` have one; the local runner has one extraction worker per core). The flow's time is
the run's own (``flow_runs.started_at`` to ``finished_at``: listing excluded, storing
included), read from the database; the command's wall time, with Prefect's start-up, is shown
too. A Prefect server is kept up for the flow runs (``flows.serve.local_server``).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SOURCE_HOST = "news.benchwire.example"
SOURCES = f"""
[[source]]
name = "benchwire"
feeds = ["https://{SOURCE_HOST}/feed.xml"]
"""
MONTH = "crawl-data/CC-NEWS/2025/06"
SINCE, UNTIL = "2025-06-01", "2025-06-30"


def generate(folder: Path, records: int, warcs: int, other: float, seed: int = 11) -> int:
    """Write the archive; returns how many records are pages of the configured source."""
    from ingest_site import LANGS, _page
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    start = datetime(2025, 6, 2, 6, tzinfo=UTC)
    per_file = -(-records // warcs)
    paths, kept, i = [], 0, 0
    for w in range(warcs):
        opened = start + timedelta(hours=3 * w)
        rel = f"{MONTH}/CC-NEWS-{opened:%Y%m%d%H%M%S}-{w:05d}.warc.gz"
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True)
        for _ in range(min(per_file, records - i)):
            when = opened + timedelta(seconds=7 * i)
            lang = LANGS[i % len(LANGS)]
            body = _page(rng, i, lang, when, int(rng.triangular(20_000, 80_000, 50_000)))
            mine = rng.random() >= other
            kept += mine
            host = SOURCE_HOST if mine else f"www.outlet{i % 17}.example"
            url = f"https://{host}/{lang}/{when:%Y/%m/%d}/story-{i:06d}"
            stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("User-Agent", "bench")],
                                       is_http_request=True)  # fmt: skip
            dated = {"WARC-Date": stamp}
            writer.write_record(writer.create_warc_record(
                url, "request", http_headers=request, warc_headers_dict=dated))  # fmt: skip
            data = body.encode("utf-8")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(data)))],
                                       protocol="HTTP/1.1")  # fmt: skip
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(data), http_headers=headers,
                warc_headers_dict=dated))  # fmt: skip
            i += 1
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buf.getvalue())
        paths.append(rel)
    (folder / MONTH / "warc.paths.gz").write_bytes(gzip.compress("\n".join(paths).encode()))
    return kept


def plain_loop(folder: Path) -> dict[str, float]:
    """warcio + trafilatura.extract over every WARC, one process."""
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    t0 = time.perf_counter()
    responses = extracted = 0
    for path in sorted((folder / MONTH).glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                responses += 1
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                ctype = record.http_headers.get_header("Content-Type") or ""
                if f"//{SOURCE_HOST}/" not in url or record.http_headers.get_statuscode() != "200":
                    continue
                if "html" not in ctype:
                    continue
                if trafilatura.extract(record.content_stream().read(), url=url) is not None:
                    extracted += 1
    return {"seconds": time.perf_counter() - t0, "responses": responses, "extracted": extracted}


def flow_run(folder: Path, db: Path, sources: Path, dask: str | None) -> dict[str, object]:
    """The backfill flow over the folder (in this process: the child of ``main``)."""
    from flows.backfill import backfill

    params: dict[str, object] = {}
    if dask:
        params["dask"] = dask
    summary = backfill(since=datetime.fromisoformat(SINCE).date(),
                       until=datetime.fromisoformat(UNTIL).date(), sources=str(sources),
                       db=str(db), origin="cc-news", archive=str(folder), **params)  # fmt: skip
    return {"status": summary["status"], "articles_new": summary["articles_new"],
            "archive": summary["archive"], "timings": summary.get("timings")}  # fmt: skip


def run_seconds(db: Path) -> float:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT epoch(finished_at) - epoch(started_at) FROM flow_runs "
                          "ORDER BY started_at DESC LIMIT 1").fetchone()  # fmt: skip
    finally:
        con.close()
    assert row is not None
    return float(row[0])


def child(args: list[str], env: dict[str, str] | None = None) -> tuple[dict, float]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         env=env, cwd=ROOT)  # fmt: skip
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="response records in all")
    parser.add_argument("--warcs", type=int, default=8, help="WARC files")
    parser.add_argument("--other", type=float, default=0.2,
                        help="share of records on hosts outside the sources")  # fmt: skip
    parser.add_argument("--dask", default="local:1,local:2",
                        help="Dask runners to measure, comma-separated ('' for none)")  # fmt: skip
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temp)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, folder = args.child[0], Path(args.child[1])
        if mode == "plain":
            print(json.dumps(plain_loop(folder)))
        else:
            db, sources, dask = Path(args.child[2]), Path(args.child[3]), args.child[4] or None
            print(json.dumps(flow_run(folder, db, sources, dask), default=str))
        return 0

    from flows.serve import local_server

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ccnews-"))
    folder = work / "archive"
    t0 = time.perf_counter()
    kept = generate(folder, args.records, args.warcs, args.other)
    size = sum(p.stat().st_size for p in folder.rglob("*.warc.gz")) / 1e6
    print(f"{args.records} response records ({kept} of the source) in {args.warcs} WARC files, "
          f"{size:.1f} MB gzipped, written in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    load = os.getloadavg()
    print(f"nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    sources = work / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")

    plain, _ = child(["--child", "plain", str(folder)])
    rows = [("plain warcio + trafilatura.extract loop", plain["seconds"], None, 1)]
    print(f"plain loop: {plain['extracted']} of {plain['responses']} extracted")
    env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING")  # fmt: skip
    runners = [""] + [d for d in args.dask.split(",") if d]
    with local_server() as api:
        env["PREFECT_API_URL"] = api
        for dask in runners:
            db = work / f"flow-{dask.replace(':', '') or 'local'}.duckdb"
            db.unlink(missing_ok=True)
            out, wall = child(["--child", "flow", str(folder), str(db), str(sources), dask], env)
            workers = int(dask.split(":")[1]) if dask.startswith("local:") else os.cpu_count() or 1
            name = f"backfill flow, --dask {dask}" if dask else "backfill flow, local runner"
            rows.append((name, run_seconds(db), wall, workers))
            arch = out["archive"]
            work_done = "read, extract and tag" if dask else "read"
            task_rate = arch["responses"] / max(arch["task_seconds"], 1e-9)
            print(f"{name}: {out['articles_new']} articles stored, {arch['kept']} pages kept of "
                  f"{arch['responses']} responses, timings {out['timings']}; the WARC tasks' "
                  f"own time {arch['task_seconds']} s ({work_done}: {task_rate:.1f} records/s "
                  "per worker)")  # fmt: skip
    responses = plain["responses"]
    print()
    print(f"{'':48} {'seconds':>8} {'wall':>6} {'records/s':>10} {'workers':>8} {'per worker':>11}")
    for name, seconds, wall, workers in rows:
        rate = responses / seconds
        wall_text = f"{wall:6.1f}" if wall is not None else f"{'':6}"
        print(f"{name:48} {seconds:8.1f} {wall_text} {rate:10.1f} {workers:8d} "
              f"{rate / workers:11.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
