"""Tasks shared by the ingest and backfill flows: crawl, extract, store, and the run record.

I/O tasks (the crawl, the warehouse writes) retry; extraction is pure and does not.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import PrefectFuture, PrefectWrappedFuture
from prefect.task_runners import TaskRunner

from flows.heap import run_heap
from flows.runner import on_dask, open_runner, parse_spec, release_worker_slot, worker_slots
from flows.shards import Shard, assign
from flows.watches import check_watches, finish_watches
from gigawatch import progress
from gigawatch.crawl import CrawlOutput, StopFlag, run_crawl
from gigawatch.extract import Extracted, extract_pages
from gigawatch.plan import CrawlPlan
from gigawatch.settings import run_dir, taxonomy_path
from gigawatch.sources import SourcesConfig
from gigawatch.tagger import configure_worker
from warehouse import db as wh
from warehouse import lake, load, runs
from warehouse.runs import recorded_run

POLL_SECONDS = 0.5  # how often the spool is read while the crawl runs
FLUSH_SECONDS = 30.0  # store a smaller batch when nothing more came for this long
COUNT_KEYS = ("pages_fetched", "not_modified", "skipped_known", "articles_new", "duplicates",
              "errors", "outside_window")  # fmt: skip


PAUSE_AT = "GIGAWATCH_TEST_PAUSE_AT"  # test hook, see pause_for_test
_reached: dict[str, int] = {}


def pause_for_test(stage: str) -> None:
    """A test hook (tests/test_crashes.py), off unless ``$GIGAWATCH_TEST_PAUSE_AT`` is set.

    With ``GIGAWATCH_TEST_PAUSE_AT=<stage>[:<n>]`` (stage ``extract``: a batch's pages are
    extracted, nothing of it stored; ``load``: a batch is written, its transaction not yet
    committed), the n-th time (default 1st) the run reaches ``stage`` it writes the stage to
    the file ``$GIGAWATCH_TEST_PAUSE_FILE`` and waits until the test deletes it (at most
    600 s), so that the test can kill it right there, or change the world and let it go on.
    """
    wanted = os.environ.get(PAUSE_AT)
    if not wanted or wanted.split(":")[0] != stage:
        return
    _reached[stage] = _reached.get(stage, 0) + 1
    if _reached[stage] == int(wanted.partition(":")[2] or 1):
        marker = Path(os.environ["GIGAWATCH_TEST_PAUSE_FILE"])
        marker.write_text(stage, encoding="utf-8")
        deadline = time.monotonic() + 600
        while marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def crawl(
    sources: str,
    workdir: Path,
    plan: CrawlPlan,
    on_spool: Callable[[Path], None] | None = None,
    stop: StopFlag | None = None,
) -> CrawlOutput:
    """Fetch feeds, sitemaps and pages in a child Scrapy process (``on_spool``, ``stop``: see
    :func:`gigawatch.crawl.run_crawl`); a shard of the run when ``plan.only`` names its
    sources. On a Dask worker the task leaves the worker's thread pool while the child
    crawls, so that the worker extracts batches meanwhile."""
    release_worker_slot()
    return run_crawl(sources, workdir, plan, on_spool=on_spool, stop=stop)


class PageBatch:
    """A batch's pages as one task parameter. Prefect walks the lists and dicts given to a
    task, looking for futures, when it is submitted and again where it runs (~0.25 ms a page,
    ~120 ms for 500 pages); it does not look inside this."""

    __slots__ = ("pages",)

    def __init__(self, pages: list[dict[str, Any]]):
        self.pages = pages


@task(cache_policy=NO_CACHE)
def extract(
    pages: list[dict[str, Any]] | PageBatch, taxonomy: str | None = None, in_process: bool = False
) -> dict[str, Extracted]:
    """Extract and tag the article pages of a batch with trafilatura and the tagger, over a
    process pool, or in this process with ``in_process`` (on a Dask worker, which is one of
    a pool already). ``taxonomy``: the taxonomy file (None: ``taxonomy_path()``)."""
    if isinstance(pages, PageBatch):
        pages = pages.pages
    candidates = [p for p in pages if p.get("body") is not None]
    if not candidates:  # feeds answered 304, errors only: nothing to extract
        return {}
    taxonomy = taxonomy or _taxonomy()
    tagged = extract_pages(candidates, workers=1 if in_process else None, tag=True,
                           taxonomy=taxonomy)  # fmt: skip
    return {e.fetch_id: e for e in tagged}


def _taxonomy() -> str | None:
    """This process's taxonomy file as an absolute path (None: the bundled one), as handed
    to tasks that may run on another machine."""
    path = taxonomy_path()
    return str(path.resolve()) if path else None


@task(retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def store(
    db: Path,
    pages: list[dict[str, Any]],
    extracted: dict[str, Extracted],
    plan: CrawlPlan,
    lock_timeout: float,
) -> load.BatchResult:
    """Write one batch in one transaction: fetches, bodies, documents, tags, duplicates,
    stories, and the trend tables they feed. With ``plan.lake``: one Parquet file per table
    in the lake, committed by its manifest, then the catalogue ``db`` synced."""
    if plan.lake:
        return lake.store_batch(
            db,
            plan.lake,
            plan.run_id,
            pages,
            extracted,
            plan.window(),
            plan.refresh,
            lock_timeout,
            lambda: pause_for_test("load"),
        )
    with wh.writer(db, lock_timeout) as con:
        result = load.load_batch(con, pages, extracted, plan.window(), plan.refresh)
        load.refresh_derived(con, result.stored, result.tags)
        pause_for_test("load")
        return result


def current_run_id() -> str:
    try:
        return str(get_run_context().flow_run.id)
    except Exception:
        return str(uuid.uuid4())


def _known_urls(db: Path, path: Path, lock_timeout: float) -> Path:
    con = wh.connect(db, lock_timeout=lock_timeout)
    try:
        urls = [r[0] for r in con.execute(wh.read_sql("read/document_urls")).fetchall()]
    finally:
        con.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(urls), encoding="utf-8")
    return path


def run_pipeline(
    flow_name: str,
    config: SourcesConfig,
    database: Path,
    plan: CrawlPlan,
    params: dict[str, Any],
    batch_size: int,
    lock_timeout: float,
    dask: str | None = None,
    shards: int | None = None,
) -> dict[str, Any]:
    """Crawl → extract → store for one run, holding the run lock; returns the run summary.

    ``dask``: where the crawl shards and extraction batches run (``flows.runner``: None for
    this process, ``local:N`` or a scheduler address); ``shards``: how many crawl children
    (None: one here, one per Dask worker thread). The runner is opened before the run is
    recorded, so a bad spec or a dead scheduler leaves nothing behind.
    A write the filesystem refuses (full, read-only) raises ``wh.WarehouseUnwritable``.
    The summary's ``flow_started_at`` (epoch seconds) tells the CLI its start-up cost."""
    started = time.time()
    parse_spec(dask)  # a bad spec fails before anything starts
    if shards is not None and shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    try:
        with open_runner(dask) as runner, run_heap():
            summary = _locked_run(flow_name, config, database, plan, params, batch_size,
                                  lock_timeout, runner, shards)  # fmt: skip
        summary["flow_started_at"] = started
    except Exception as exc:
        clear = wh.unwritable(exc, database)
        if clear is None:
            raise
        raise clear from exc
    create_table_artifact(
        key=f"{flow_name}-summary",
        table=summary["sources"],
        description=f"gigawatch {flow_name} {plan.run_id}: {summary['status']}",
    )
    finish_watches(database, config.watches, plan.run_id, lock_timeout)  # digests, artifact
    return summary


def _locked_run(
    flow_name: str,
    config: SourcesConfig,
    database: Path,
    plan: CrawlPlan,
    params: dict[str, Any],
    batch_size: int,
    lock_timeout: float,
    runner: TaskRunner[Any],
    shards: int | None,
) -> dict[str, Any]:
    """Crawl and store under the run lock, recorded in flow_runs (``runs.recorded_run``)."""

    def on_start(con: duckdb.DuckDBPyConnection) -> None:
        plan.validators = {} if plan.refresh else runs.load_validators(con)
        _drop_leftovers(database, runs.ended_runs(con))

    # the last batch records the end of the run (runs.finish_run, with the validators)
    with recorded_run(database, flow_name, params, run_id=plan.run_id,
                      lock_timeout=lock_timeout, on_start=on_start):  # fmt: skip
        return _crawl_and_store(config, database, plan, batch_size, lock_timeout, runner, shards)


def _drop_leftovers(database: Path, ended: set[str]) -> None:
    """Delete the crawl spool and known-URL list that a run killed before its end left in its
    folder (both can be as large as a crawl or the history); its logs stay. Only runs of this
    warehouse that are over (``ended``): another warehouse in the same folder shares it."""
    for folder in run_dir(database, "-").parent.glob("*/"):
        if folder.name in ended:
            for name in ("pages.jsonl", "known_urls.txt", "shard-*/pages.jsonl"):
                for path in folder.glob(name):
                    path.unlink(missing_ok=True)


def _crawl_and_store(
    config: SourcesConfig,
    database: Path,
    plan: CrawlPlan,
    batch_size: int,
    lock_timeout: float,
    runner: TaskRunner[Any],
    shards: int | None,
) -> dict[str, Any]:
    """Crawl in shards (tasks of ``runner``) while this thread extracts and stores what they
    have fetched so far, a batch at a time: a batch is stored once ``batch_size`` pages are
    waiting, or ``FLUSH_SECONDS`` after the last one, and the rest when every shard's crawl
    has ended. A run stopped mid-crawl keeps every batch it stored.

    Extraction and storing overlap: while batch n is stored (folded, written in its
    transaction, here), the next batches are extracted and tagged by ``runner`` (one task per
    batch; as many ahead as it has worker slots, one on the thread pool, whose task uses a
    process pool). Batches are stored one after the other in the order they were read, and a
    batch is stored only after every earlier one is committed: the parallel part ends at the
    store, the only writer of the story index and the trend tables."""
    logger = get_run_logger()
    taxonomy = _taxonomy()
    configure_worker(taxonomy)  # the tagger for this run's batches
    workdir = run_dir(database, plan.run_id).resolve()  # as the workers see it
    plan.known_urls_file = str(_known_urls(database, workdir / "known_urls.txt", lock_timeout))
    slots = worker_slots(runner)
    distributed = on_dask(runner)
    groups = assign([s.name for s in config.sources], shards or slots)
    crawls = [Shard(i, names, workdir if len(groups) == 1 else workdir / f"shard-{i}")
              for i, names in enumerate(groups)]  # fmt: skip
    validators: dict[str, tuple[str, dict[str, str | None]]] = {}
    done = read = 0
    timings = dict.fromkeys(("crawl", "extract_wait", "store", "watches"), 0.0)
    ahead: deque[tuple[list[dict[str, Any]], PrefectFuture[dict[str, Extracted]]]] = deque()

    def store_extracted(pages: list[dict[str, Any]], extracted: dict[str, Extracted]) -> None:
        nonlocal done
        pause_for_test("extract")
        t0 = time.monotonic()
        stored = store(database, pages, extracted, plan, lock_timeout)
        t1 = time.monotonic()
        check_watches(database, config.watches, plan.run_id, stored.stored, lock_timeout)
        timings["store"] += t1 - t0
        timings["watches"] += time.monotonic() - t1
        for page in pages:
            if page.get("validators") and page["outcome"] == "ok":
                validators[page["url"]] = (page["source"], page["validators"])
        done += len(pages)
        progress.report("load", done, None)

    def store_oldest() -> None:
        """Store the oldest batch extracted ahead, once its extraction is over."""
        pages, job = ahead.popleft()
        t0 = time.monotonic()
        extracted = job.result()
        timings["extract_wait"] += time.monotonic() - t0
        store_extracted(pages, extracted)

    def load_batch(pages: list[dict[str, Any]] | None) -> None:
        """Start extracting ``pages`` (None: nothing more), storing the oldest batch first
        when every slot is taken (or everything, once nothing more comes)."""
        if pages is None:
            while ahead:
                store_oldest()
            return
        oldest = ahead.popleft() if len(ahead) >= slots else None
        job = runner.submit(extract, parameters={"pages": PageBatch(pages), "taxonomy": taxonomy,
                                                 "in_process": distributed})  # fmt: skip
        if oldest is not None:
            ahead.appendleft(oldest)
            store_oldest()
        ahead.append((pages, job))

    def store_if_extracted() -> None:
        """Store the batches extracted ahead whose extraction is over (in order), so that a
        slow crawl does not keep them waiting for the next batch."""
        while ahead and _done(ahead[0][1]):
            store_oldest()

    futures: list[PrefectFuture[CrawlOutput]] = []
    ended = threading.Event()  # set when a shard's crawl ends
    try:
        crawl_started = time.monotonic()
        for shard in crawls:
            shard_plan = replace(plan, only=shard.sources) if len(crawls) > 1 else plan
            futures.append(runner.submit(crawl, parameters={
                "sources": str(Path(config.path).resolve()), "workdir": shard.folder,
                "plan": shard_plan, "on_spool": shard.attempts, "stop": shard.stop,
            }))  # fmt: skip
            futures[-1].add_done_callback(lambda _: ended.set())
        pending: list[dict[str, Any]] = []
        flushed = time.monotonic()
        while True:
            last = all(_done(f) for f in futures)  # before reading: then everything is written
            for shard in crawls:
                items = shard.read()
                read += len(items)
                pending.extend(items)
            progress.report("crawl", read, None)
            while len(pending) >= batch_size:
                load_batch(pending[:batch_size])
                pending, flushed = pending[batch_size:], time.monotonic()
            if pending and (last or time.monotonic() - flushed >= FLUSH_SECONDS):
                load_batch(pending)
                pending, flushed = [], time.monotonic()
            if last:
                timings["crawl"] = time.monotonic() - crawl_started
                load_batch(None)  # the batches still being extracted
                break
            store_if_extracted()
            if ended.wait(POLL_SECONDS):
                ended.clear()
        outputs = [f.result() for f in futures]  # a crawl's error, if one failed for good
    except BaseException:
        for shard in crawls:  # a batch could not be stored: no crawl child is left running
            shard.stop.set()
        _wait_all(futures, 30)
        raise
    finally:
        Path(plan.known_urls_file).unlink(missing_ok=True)  # as large as the history
    logger.info("%d crawl shard(s) fetched %d items, %d stored", len(crawls),
                sum(o.items for o in outputs), done)  # fmt: skip
    with wh.writer(database, lock_timeout) as con:
        summary = _summary(con, config, plan, outputs)
        summary["timings"] = {k: round(v, 2) for k, v in timings.items()}
        summary["shards"] = len(crawls)
        # Validators only now that everything the feeds listed is stored: a run killed
        # earlier fetches them again in full next time.
        runs.save_validators(con, validators)
        runs.finish_run(con, plan.run_id, summary["status"], summary)
    for shard in crawls:
        shard.cleanup()
    return summary


def _wait_all(futures: list[PrefectFuture[Any]], timeout: float) -> None:
    """Wait for the crawls to end (stopped: they end within a second), at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    for future in futures:
        with contextlib.suppress(Exception):
            future.wait(max(0.0, deadline - time.monotonic()))


def _done(job: PrefectFuture[Any]) -> bool:
    """Whether a submitted task is over (without asking the Prefect API)."""
    if isinstance(job, PrefectWrappedFuture):
        return bool(job.wrapped_future.done())
    return job.state.is_final()


def _summary(
    con: Any, config: SourcesConfig, plan: CrawlPlan, outputs: list[CrawlOutput]
) -> dict[str, Any]:
    """The run summary: counts per source (each source is crawled by one shard)."""
    rows = {r["source"]: r for r in runs.run_summary(con, plan.run_id)}
    crawled = {name: counts for o in outputs for name, counts in o.stats.items()}
    per_source = []
    for src in config.sources:
        row = dict.fromkeys(COUNT_KEYS, 0) | rows.get(src.name, {})
        stats = crawled.get(src.name, {})
        row["skipped_known"] = stats.get("skipped_known", 0)
        row["outside_window"] = row.get("outside_window", 0) + stats.get("outside_window", 0)
        row["source"] = src.name
        row.pop("already_known", None)
        per_source.append({"source": src.name, **{k: row[k] for k in COUNT_KEYS}})
    errors = sum(r["errors"] for r in per_source)
    new = sum(r["articles_new"] for r in per_source)
    return {
        "run_id": plan.run_id,
        "status": "partial" if errors else "completed",
        "finished_at": datetime.now(UTC).isoformat(),
        "articles_new": new,
        "nothing_new": new == 0,
        "window": [plan.since, plan.until] if plan.backfill else None,
        "sources": per_source,
    }
