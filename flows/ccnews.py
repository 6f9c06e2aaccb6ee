"""The backfill from CC-NEWS: list the window's WARC files, read one WARC per task, and send
the pages of configured sources through the same extract -> tag -> dedupe -> load path as a
crawl (``flows.pipeline``'s ``extract`` and ``store`` tasks), in one run record.

Each WARC is a task submitted through the run's task runner (``flows.runner``): on Prefect's
thread pool the task streams the WARC and hands its pages back, and the flow extracts and tags
them over its process pool, a batch ahead of the store, as a crawl does; on a Dask cluster the
task also extracts and tags its pages in the worker (``extract_pages(workers=1, tag=True)``), so
that the cluster does the heavy part. Either way the results are stored in WARC order, batch by
batch, each batch one transaction, and the story index is updated by the store alone.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from flows.heap import run_heap
from flows.pipeline import COUNT_KEYS, extract, store
from flows.runner import is_distributed, open_runner, worker_slots
from flows.watches import check_watches, finish_watches
from gigawatch import ccnews, progress
from gigawatch.crawl import fetch_id
from gigawatch.extract import Extracted, extract_pages
from gigawatch.plan import CrawlPlan
from gigawatch.settings import taxonomy_path
from gigawatch.sources import SourcesConfig
from gigawatch.tagger import configure_worker
from warehouse import db as wh
from warehouse import runs
from warehouse.runs import recorded_run

TASKS_PER_SLOT = 2  # WARCs read ahead per worker slot: the next is ready when one is stored


@task(name="warc", cache_policy=NO_CACHE)
def read_warc(
    url: str,
    hosts: ccnews.SourceHosts,
    window: tuple[datetime, datetime],
    run_id: str,
    max_bytes: int,
    extract_here: bool,
    taxonomy: str | None,
) -> ccnews.WarcRead:
    """Stream one WARC and keep the pages of configured sources; with ``extract_here`` (a Dask
    worker), extract and tag them here too. A WARC that cannot be read comes back with its
    outcome and error (``gigawatch.ccnews.read_warc`` retries opening it)."""
    started = time.perf_counter()
    read = ccnews.read_warc(url, hosts, window, run_id, max_bytes)
    if extract_here and read.pages:
        tagged = extract_pages(read.pages, workers=1, tag=True, taxonomy=taxonomy)
        read.extracted = {e.fetch_id: e for e in tagged}
    read.seconds = time.perf_counter() - started
    return read


def list_archive(archive: str, since: date, until: date) -> ccnews.Listing:
    """The WARC files of the window (``ccnews.ArchiveError`` when the archive is unusable: the
    run has not started)."""
    return ccnews.list_warcs(archive, since, until)


def run_ccnews(
    config: SourcesConfig,
    database: Path,
    plan: CrawlPlan,
    params: dict[str, Any],
    archive: str | None,
    batch_size: int,
    lock_timeout: float,
    dask: str | None = None,
) -> dict[str, Any]:
    """The CC-NEWS backfill of ``plan``'s window, recorded as a ``backfill`` run; returns the
    run summary (as ``flows.pipeline.run_pipeline`` does)."""
    started = time.time()
    assert plan.since is not None and plan.until is not None
    base = ccnews.check_base_url(archive or config.cc_news.base_url)
    listing = list_archive(base, date.fromisoformat(plan.since), date.fromisoformat(plan.until))
    try:
        with recorded_run(database, "backfill", params, run_id=plan.run_id,
                          lock_timeout=lock_timeout):  # fmt: skip
            summary = _read_and_store(config, database, plan, listing, batch_size,
                                      lock_timeout, dask)  # fmt: skip
    except Exception as exc:
        clear = wh.unwritable(exc, database)
        if clear is None:
            raise
        raise clear from exc
    summary["flow_started_at"] = started
    create_table_artifact(
        key="backfill-summary",
        table=summary["sources"],
        description=f"gigawatch backfill from CC-NEWS {plan.run_id}: {summary['status']}",
    )
    finish_watches(database, config.watches, plan.run_id, lock_timeout)
    return summary


def _read_and_store(
    config: SourcesConfig,
    database: Path,
    plan: CrawlPlan,
    listing: ccnews.Listing,
    batch_size: int,
    lock_timeout: float,
    dask: str | None,
) -> dict[str, Any]:
    logger = get_run_logger()
    taxonomy = taxonomy_path()
    taxonomy_file = str(taxonomy.resolve()) if taxonomy else None  # the same on any worker
    configure_worker(taxonomy_file)  # the store tags in-process what came untagged
    hosts = ccnews.SourceHosts.of(config.sources)
    window = plan.window()
    assert window[0] is not None and window[1] is not None
    bounds = (window[0], window[1])
    distributed = is_distributed(dask)
    timings = dict.fromkeys(("read_wait", "extract_wait", "store", "watches"), 0.0)
    counts: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    failed: list[dict[str, str | None]] = []
    pages: list[dict[str, Any]] = [_problem_row(plan.run_id, p) for p in listing.problems]
    extracted: dict[str, Extracted] = {}
    ahead: tuple[list[dict[str, Any]], PrefectFuture[dict[str, Extracted]]] | None = None
    stored = 0

    def store_batch(batch: list[dict[str, Any]], done: dict[str, Extracted]) -> None:
        nonlocal stored
        t0 = time.monotonic()
        result = store(database, batch, done, plan, lock_timeout)
        t1 = time.monotonic()
        check_watches(database, config.watches, plan.run_id, result.stored, lock_timeout)
        timings["store"] += t1 - t0
        timings["watches"] += time.monotonic() - t1
        stored += len(batch)
        progress.report("load", stored, None)

    def flush(batch: list[dict[str, Any]] | None, done: dict[str, Extracted]) -> None:
        """Store ``batch`` (None: nothing more). Extracted on the workers, it is stored now;
        otherwise it is extracted over the process pool while the batch before it is stored."""
        nonlocal ahead
        if distributed:
            if batch:
                store_batch(batch, done)
            return
        previous = ahead
        if batch and not any(p.get("body") for p in batch):  # only WARC rows: nothing to extract
            if previous is not None:
                flush(None, {})
            store_batch(batch, {})
            return
        ahead = (batch, extract.submit(batch)) if batch else None
        if previous is not None:
            t0 = time.monotonic()
            previous_done = previous[1].result()
            timings["extract_wait"] += time.monotonic() - t0
            store_batch(previous[0], previous_done)

    with open_runner(dask) as runner, run_heap():
        limit = max(2, TASKS_PER_SLOT * worker_slots(runner))
        queue: deque[tuple[ccnews.WarcFile, PrefectFuture[ccnews.WarcRead]]] = deque()
        todo = deque(listing.warcs)
        read_count, task_seconds = 0, 0.0
        while todo or queue:
            while todo and len(queue) < limit:
                warc = todo.popleft()
                parameters = {"url": warc.url, "hosts": hosts, "window": bounds,
                              "run_id": plan.run_id, "max_bytes": config.crawl.max_page_bytes,
                              "extract_here": distributed, "taxonomy": taxonomy_file}  # fmt: skip
                queue.append((warc, runner.submit(read_warc, parameters=parameters)))
            warc, future = queue.popleft()
            t0 = time.monotonic()
            read = _result(warc, future)
            timings["read_wait"] += time.monotonic() - t0
            read_count += 1
            progress.report("warc", read_count, len(listing.warcs))
            counts.update(read.counts)
            task_seconds += read.seconds
            outside.update(read.outside_window)
            if read.failed:
                failed.append({"url": read.url, "outcome": read.outcome, "error": read.error})
                logger.warning("%s", read.error)  # names the WARC
            pages.extend(read.pages)
            pages.append(_warc_row(plan.run_id, read))
            if read.extracted:
                extracted.update(read.extracted)
            while len(pages) >= batch_size:
                batch, pages = pages[:batch_size], pages[batch_size:]
                flush(batch, _take(extracted, batch))
        if pages:
            flush(pages, _take(extracted, pages))
        flush(None, {})
    logger.info("CC-NEWS: %d WARC files read (%d failed), %d pages kept",
                len(listing.warcs), len(failed), counts["kept"])  # fmt: skip
    with wh.writer(database, lock_timeout) as con:
        summary = _summary(con, config, plan, listing, counts, outside, failed)
        summary["timings"] = {k: round(v, 2) for k, v in timings.items()}
        summary["archive"]["task_seconds"] = round(task_seconds, 2)  # the tasks' own time
        runs.finish_run(con, plan.run_id, summary["status"], summary)
    return summary


def _result(warc: ccnews.WarcFile, future: PrefectFuture[ccnews.WarcRead]) -> ccnews.WarcRead:
    """The task's result; a task that failed (a worker lost, an unexpected error) is the
    WARC's network_error, so that the other WARCs go on."""
    try:
        return future.result()
    except Exception as exc:
        error = f"reading the WARC failed ({type(exc).__name__}: {exc}): {warc.url}"
        return ccnews.WarcRead(warc.url, outcome="network_error", error=error)


def _take(extracted: dict[str, Extracted], batch: list[dict[str, Any]]) -> dict[str, Extracted]:
    """The extractions of ``batch``'s pages, removed from ``extracted``."""
    return {p["fetch_id"]: extracted.pop(p["fetch_id"]) for p in batch
            if p["fetch_id"] in extracted}  # fmt: skip


def _archive_row(run_id: str, kind: str, url: str, outcome: str, error: str) -> dict[str, Any]:
    return {
        "fetch_id": fetch_id(run_id, kind, url), "run_id": run_id,
        "source": ccnews.ARCHIVE_SOURCE, "kind": kind, "url": url, "final_url": None,
        "status": None, "content_type": None, "fetched_at": datetime.now(UTC).isoformat(),
        "outcome": outcome, "error": error,
    }  # fmt: skip


def _warc_row(run_id: str, read: ccnews.WarcRead) -> dict[str, Any]:
    """The WARC's own fetch row: ok with its counts, or its failure."""
    error = read.note() if not read.failed else f"{read.error} ({read.note()})"
    return _archive_row(run_id, "warc", read.url, read.outcome, error)


def _problem_row(run_id: str, problem: ccnews.Problem) -> dict[str, Any]:
    return _archive_row(run_id, problem.kind, problem.url, problem.outcome, problem.error)


def _summary(
    con: Any,
    config: SourcesConfig,
    plan: CrawlPlan,
    listing: ccnews.Listing,
    counts: Counter[str],
    outside: Counter[str],
    failed: list[dict[str, str | None]],
) -> dict[str, Any]:
    """Per-source counts (as a crawl backfill's), a row for the archive itself (its WARC
    files and listings: pages_fetched, errors), and the archive's record counts."""
    rows = {r["source"]: r for r in runs.run_summary(con, plan.run_id)}
    per_source = []
    for name in [s.name for s in config.sources] + [ccnews.ARCHIVE_SOURCE]:
        row = dict.fromkeys(COUNT_KEYS, 0) | rows.get(name, {})
        row["skipped_known"] = 0
        row["outside_window"] = row.get("outside_window", 0) + outside.get(name, 0)
        per_source.append({"source": name, **{k: row[k] for k in COUNT_KEYS}})
    errors = sum(r["errors"] for r in per_source)
    new = sum(r["articles_new"] for r in per_source)
    keys = ("records", "responses", "kept", "other_hosts", "outside_window", "not_200",
            "not_html", "too_large", "truncated_records")  # fmt: skip
    return {
        "run_id": plan.run_id,
        "status": "partial" if errors else "completed",
        "finished_at": datetime.now(UTC).isoformat(),
        "articles_new": new,
        "nothing_new": new == 0,
        "window": [plan.since, plan.until],
        "sources": per_source,
        "archive": {
            "base_url": listing.base_url,
            "warcs": len(listing.warcs),
            "warcs_failed": len(failed),
            "failed": failed,
            "listing_problems": [p.error for p in listing.problems],
            **{k: counts.get(k, 0) for k in keys},
        },
    }
