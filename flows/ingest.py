"""The ``ingest`` flow: crawl → extract → load, batch by batch.

Plain Python with Prefect tasks at batch granularity. The crawl (network I/O) retries; parsing
and extraction are pure; each load is one short transaction, so readers get in between batches.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from gigawatch import progress
from gigawatch.crawl import CrawlOutput, read_spool, run_crawl
from gigawatch.extract import Extracted, extract_pages
from gigawatch.settings import DEFAULT_BATCH_SIZE, DEFAULT_SOURCES, db_path, run_dir
from gigawatch.sources import load_sources
from warehouse import db as wh
from warehouse import load


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def crawl(
    sources: str, workdir: Path, run_id: str, only: list[str] | None, known: Path
) -> CrawlOutput:
    """Fetch feeds, sitemaps and pages in a child Scrapy process."""
    return run_crawl(
        sources, workdir, run_id, only=only, known_urls=known,
        on_item=lambda n: progress.report("crawl", n, None),
    )  # fmt: skip


@task(cache_policy=NO_CACHE)
def extract(pages: list[dict[str, Any]]) -> dict[str, Extracted]:
    """Extract the article pages of a batch with trafilatura over a process pool."""
    candidates = [p for p in pages if p.get("body") is not None]
    return {e.fetch_id: e for e in extract_pages(candidates)}


@task(retries=3, retry_delay_seconds=2, retry_condition_fn=None, cache_policy=NO_CACHE)
def store(
    db: Path, pages: list[dict[str, Any]], extracted: dict[str, Extracted], lock_timeout: float
) -> load.BatchResult:
    """Write one batch in one transaction."""
    with wh.writer(db, lock_timeout) as con:
        return load.load_batch(con, pages, extracted)


def _known_urls(db: Path, path: Path, lock_timeout: float) -> Path:
    con = wh.connect(db, lock_timeout=lock_timeout)
    try:
        urls = [r[0] for r in con.execute("SELECT url FROM documents").fetchall()]
    finally:
        con.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(urls), encoding="utf-8")
    return path


def _run_id() -> str:
    try:
        return str(get_run_context().flow_run.id)
    except Exception:
        return str(uuid.uuid4())


def _crawl_and_load(database: Path, sources: str, workdir: Path, run_id: str,
                    only: list[str] | None, batch_size: int, lock_timeout: float) -> CrawlOutput:  # fmt: skip
    """Crawl, then extract and store the crawl's output batch by batch."""
    logger = get_run_logger()
    known = _known_urls(database, workdir / "known_urls.txt", lock_timeout)
    output = crawl(sources, workdir, run_id, only, known)
    logger.info("crawl fetched %d items", output.items)
    done = 0
    for pages in read_spool(output.spool, batch_size):
        extracted = extract(pages)
        store(database, pages, extracted, lock_timeout)
        done += len(pages)
        progress.report("load", done, output.items)
    return output


@flow(name="ingest")
def ingest(
    sources: str = str(DEFAULT_SOURCES),
    db: str | None = None,
    only: list[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
) -> dict[str, Any]:
    """Crawl the configured sources, extract articles and load them into DuckDB.

    Returns the run summary: status (completed | partial) and per-source counts.
    """
    config = load_sources(sources).select(only)  # fail fast on a bad sources file
    database = db_path(db)
    run_id = _run_id()
    params = {"sources": sources, "only": only, "batch_size": batch_size}
    wh.ensure_schema(database, lock_timeout)
    with wh.writer(database, lock_timeout) as con:
        load.start_run(con, run_id, "ingest", params)
    workdir = run_dir(database, run_id)
    try:
        output = _crawl_and_load(database, config.path, workdir, run_id, only, batch_size,
                                 lock_timeout)  # fmt: skip
    except BaseException as exc:
        with wh.writer(database, lock_timeout) as con:
            load.finish_run(con, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
        raise
    con = wh.connect(database, lock_timeout=lock_timeout)
    try:
        per_source = load.run_summary(con, run_id)
    finally:
        con.close()
    for name in sorted({s.name for s in config.sources} - {r["source"] for r in per_source}):
        per_source.append({"source": name, "pages_fetched": 0, "article_pages": 0,
                           "articles_stored": 0, "already_known": 0, "errors": 0})  # fmt: skip
    errors = sum(r["errors"] for r in per_source)
    status = "partial" if errors else "completed"
    summary = {
        "run_id": run_id,
        "status": status,
        "finished_at": datetime.now(UTC).isoformat(),
        "sources": per_source,
    }
    with wh.writer(database, lock_timeout) as con:
        load.finish_run(con, run_id, status, summary)
    create_table_artifact(
        key="ingest-summary",
        table=per_source,
        description=f"gigawatch ingest {run_id}: {status}",
    )
    output.spool.unlink(missing_ok=True)
    return summary
