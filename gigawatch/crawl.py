"""Run the Scrapy crawl in a child process and read back what it fetched.

A child process per crawl keeps Twisted's reactor out of the caller, so one Python process
(``gigawatch serve``, a test) can run the ingest flow any number of times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gigawatch.plan import CrawlPlan
from warehouse.load import fetch_id


class CrawlError(RuntimeError):
    """The crawler process failed before or while crawling."""


@dataclass
class CrawlOutput:
    spool: Path  # JSON lines, one FetchItem per line
    log: Path
    items: int
    stats: dict[str, dict[str, int]]  # per source: skipped_known, not_modified, ...


def run_crawl(
    sources_path: str | Path,
    workdir: Path,
    plan: CrawlPlan | str,
    on_item: Callable[[int], None] | None = None,
    timeout: float | None = None,
) -> CrawlOutput:
    """Crawl with ``scrapy crawl news`` in a child process; items go to ``workdir/pages.jsonl``.

    ``plan`` is a CrawlPlan, or just a run id for a plain crawl of every source.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    if isinstance(plan, str):
        plan = CrawlPlan(run_id=plan)
    spool, log = workdir / "pages.jsonl", workdir / "crawl.log"
    stats = workdir / "crawl-stats.json"
    spool.unlink(missing_ok=True)
    stats.unlink(missing_ok=True)
    plan.stats_file = str(stats)
    plan_file = plan.save(workdir / "plan.json")
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "news",
        "-s", f"GIGAWATCH_SOURCES={Path(sources_path).resolve()}",
        "-s", f"GIGAWATCH_PLAN={plan_file}",
        "-s", f"LOG_FILE={log}",
        "-O", f"{spool}:jsonlines",
    ]  # fmt: skip
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}
    started = time.monotonic()
    errors = workdir / "crawl.stderr"
    with (
        errors.open("w") as err,
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err) as proc,
    ):
        while proc.poll() is None:
            time.sleep(0.3)
            if on_item is not None:
                on_item(_count_lines(spool))
            if timeout is not None and time.monotonic() - started > timeout:
                proc.kill()
                raise CrawlError(f"crawl exceeded {timeout:.0f} s and was stopped; see {log}")
    if proc.returncode != 0:
        tail = _tail(errors) or _tail(log)
        raise CrawlError(f"scrapy exited with status {proc.returncode}: " + " | ".join(tail))
    count = _count_lines(spool)
    if on_item is not None:
        on_item(count)
    crawl_stats = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}
    return CrawlOutput(spool=spool, log=log, items=count, stats=crawl_stats)


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    except FileNotFoundError:
        return 0


def _tail(path: Path, n: int = 5) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:]
    except FileNotFoundError:
        return []


def read_spool(spool: Path, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """The crawler's items in batches, each given its deterministic ``fetch_id``."""
    batch: list[dict[str, Any]] = []
    with spool.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            item = json.loads(line)
            item["fetch_id"] = fetch_id(item["run_id"], item["kind"], item["url"])
            batch.append(item)
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch
