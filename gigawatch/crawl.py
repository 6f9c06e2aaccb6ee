"""Run the Scrapy crawl in a child process and read back what it fetched.

A child process per crawl keeps Twisted's reactor out of the caller, so one Python process
(``gigawatch serve``, a test) can run the ingest flow any number of times.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from gigawatch.plan import CrawlPlan


def fetch_id(run_id: str, kind: str, url: str) -> str:
    """Deterministic id of a fetch, so loading the same crawl output twice adds nothing."""
    return hashlib.sha1(f"{run_id}|{kind}|{url}".encode()).hexdigest()[:24]


class StopFlag(Protocol):
    """What ``run_crawl`` polls to know the caller gave up: a ``threading.Event``, or a flag
    another process sets (``flows.shards.FileFlag``)."""

    def is_set(self) -> bool: ...


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
    on_spool: Callable[[Path], None] | None = None,
    stop: StopFlag | None = None,
) -> CrawlOutput:
    """Crawl with ``scrapy crawl news`` in a child process; items go to ``workdir/pages.jsonl``.

    ``plan`` is a CrawlPlan, or just a run id for a plain crawl of every source.
    ``on_spool(path)`` is called once the spool of this attempt is about to be written (a
    :class:`SpoolReader` following it starts again from its top). Setting ``stop`` kills the
    child and raises :class:`CrawlError` (the caller gave up on the run).
    """
    if stop is not None and stop.is_set():
        raise CrawlError("crawl stopped: the run it belonged to failed")
    workdir.mkdir(parents=True, exist_ok=True)
    if isinstance(plan, str):
        plan = CrawlPlan(run_id=plan)
    spool, log = workdir / "pages.jsonl", workdir / "crawl.log"
    stats = workdir / "crawl-stats.json"
    spool.unlink(missing_ok=True)
    stats.unlink(missing_ok=True)
    plan.stats_file = str(stats)
    plan_file = plan.save(workdir / "plan.json")
    if on_spool is not None:
        on_spool(spool)
    cmd = [
        sys.executable, "-c", _DIE_WITH_RUN, str(os.getpid()), "-m", "scrapy", "crawl", "news",
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
            if stop is not None and stop.is_set():
                proc.kill()
                raise CrawlError("crawl stopped: the run it belonged to failed")
    if proc.returncode != 0:
        tail = _tail(errors) or _tail(log)
        raise CrawlError(f"scrapy exited with status {proc.returncode}: " + " | ".join(tail))
    count = _count_lines(spool)
    if on_item is not None:
        on_item(count)
    crawl_stats = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}
    return CrawlOutput(spool=spool, log=log, items=count, stats=crawl_stats)


# Run the crawler so that it dies with the run: Linux's PR_SET_PDEATHSIG (kept across exec)
# sends it SIGKILL when the thread that started it ends, so a run killed with SIGKILL does not
# leave its crawler fetching for nobody. Elsewhere it only execs.
_DIE_WITH_RUN = """\
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit("the run that started this crawl has ended")
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


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


def _item(line: str | bytes) -> dict[str, Any]:
    """One spool line as an item, with its deterministic ``fetch_id``."""
    item = json.loads(line)
    item["fetch_id"] = fetch_id(item["run_id"], item["kind"], item["url"])
    return item


class SpoolReader:
    """Follows the spool while the crawler writes it: each :meth:`read` returns the items of
    the complete lines written since the last one. :meth:`switch` (``run_crawl``'s
    ``on_spool``) starts again from the top of a new attempt's spool. Thread-safe: the crawl
    runs in a task thread while the flow reads."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._path = path
        self._offset = 0
        self._partial = b""

    def switch(self, path: Path) -> None:
        with self._lock:
            self._path, self._offset, self._partial = path, 0, b""

    def read(self) -> list[dict[str, Any]]:
        with self._lock:
            try:
                with self._path.open("rb") as fh:
                    fh.seek(self._offset)
                    data = fh.read()
            except FileNotFoundError:
                return []
            self._offset += len(data)
            lines = (self._partial + data).split(b"\n")
            self._partial = lines.pop()  # an unfinished last line waits for the next read
            return [_item(line) for line in lines if line.strip()]


def read_spool(spool: Path, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """The crawler's items in batches, each given its deterministic ``fetch_id``."""
    batch: list[dict[str, Any]] = []
    with spool.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            batch.append(_item(line))
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch
