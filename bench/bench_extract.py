"""Benchmark extraction: trafilatura over the demo site's pages, one worker versus the pool.

    python bench/bench_extract.py

Reads every article page of the bundled demo site from disk (48 distinct pages) and extracts
them with ``gigawatch.extract.extract_pages``, once with 1 worker and once with one worker per
core, each in a fresh process (trafilatura and htmldate cache per process, so repeating the same
pages or reusing a process would flatter the figures). The process pool is started, and the
language model loaded, on a page outside the measured set. Prints pages/s for a first pass
(cold: language data for dates and parsers loads on first use) and a second pass over the
same pages (warm, and helped by the libraries' caches).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import subprocess
import sys
import time
import tomllib
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gigawatch.demo import MANIFEST, SITE_DIR  # noqa: E402
from gigawatch.extract import extract_pages, shutdown_pool  # noqa: E402


def _file(outlet: str, path: str) -> Path:
    rel = path.strip("/")
    for candidate in (SITE_DIR / outlet / rel, SITE_DIR / outlet / f"{rel}.html"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{outlet}{path}")


def pages(repeat: int) -> list[dict]:
    manifest = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    out = []
    for i in range(repeat):
        for art in manifest["article"]:
            body = _file(art["outlet"], art["path"]).read_bytes()
            out.append({
                "fetch_id": f"{i}-{art['path']}",
                "body": base64.b64encode(zlib.compress(body)).decode(),
                "body_sha1": hashlib.sha1(body).hexdigest(),
                "encoding": art.get("encoding", "utf-8"),
                "url": f"http://127.0.0.1:8000{art['path']}",
            })  # fmt: skip
    return out


def measure(workers: int, repeat: int) -> None:
    batch = pages(repeat)
    warm = [dict(batch[0], fetch_id=f"warm-{i}") for i in range(workers * 4)]
    extract_pages(warm, workers=workers)
    for label in ("first pass", "second pass"):
        t0 = time.perf_counter()
        results = extract_pages(batch[1:], workers=workers)
        dt = time.perf_counter() - t0
        ok = sum(r.ok for r in results)
        print(f"workers={workers} {label}: {len(results) / dt:,.1f} pages/s "
              f"({ok}/{len(results)} extracted, {dt:.2f} s)")  # fmt: skip
    shutdown_pool()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, help="measure this many workers in this process")
    parser.add_argument("--repeat", type=int, default=1, help="repeat the page set (cached)")
    args = parser.parse_args()
    if args.workers:
        measure(args.workers, args.repeat)
        return 0
    print(f"demo pages: {len(pages(1))}  cores: {os.cpu_count()}")
    for workers in sorted({1, os.cpu_count() or 2}):
        cmd = [sys.executable, __file__, "--workers", str(workers), "--repeat", str(args.repeat)]
        subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
