"""Flows that rebuild data from stored articles, without crawling: ``retag``, ``restory`` and
``reextract``."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import flow
from prefect.artifacts import create_table_artifact

from flows.pipeline import current_run_id, pause_for_test
from gigawatch.extract import EXTRACT_OPTIONS_JSON, EXTRACTOR, extract_pages
from gigawatch.settings import db_path, taxonomy_path
from gigawatch.tagger import configure_worker
from warehouse import db as wh
from warehouse import reextract as reextract_store
from warehouse import trend_store
from warehouse.dedupe_store import rebuild
from warehouse.runs import recorded_run
from warehouse.tags import retag as retag_history

DEFAULT_REEXTRACT_BATCH = 200  # articles per re-extraction batch (one transaction)


def _recorded(flow_name: str, database: Any, params: dict, lock_timeout: float, work) -> dict:
    """Run ``work()`` under the run lock, recorded in flow_runs like any other run."""
    run_id = current_run_id()
    with recorded_run(database, flow_name, params, run_id=run_id, lock_timeout=lock_timeout) as run:
        summary = run.summary = {"run_id": run_id, **work()}
    create_table_artifact(
        key=f"{flow_name}-summary",
        table=[{"key": k, "value": str(v)} for k, v in summary.items()],
        description=f"gigawatch {flow_name} {run_id}",
    )
    return summary


@flow(name="retag")
def retag(
    db: str | None = None,
    taxonomy: str | None = None,
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
) -> dict[str, Any]:
    """Re-tag every stored article from its text with the current taxonomy, atomically."""
    database = db_path(db)
    taxonomy = str(taxonomy_path(taxonomy) or "") or None
    params = {"taxonomy": taxonomy}
    return _recorded(
        "retag", database, params, lock_timeout,
        lambda: asdict(retag_history(database, taxonomy_path=taxonomy, lock_timeout=lock_timeout)),
    )  # fmt: skip


@flow(name="restory")
def restory(db: str | None = None, lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT) -> dict[str, Any]:
    """Rebuild duplicates, stories and the trend tables from every stored article (one
    transaction)."""
    database = db_path(db)

    def work() -> dict[str, Any]:
        from gigawatch import progress

        with wh.writer(database, lock_timeout) as con:
            summary = rebuild(con, on_progress=lambda d, t: progress.report("restory", d, t))
            trends = trend_store.rebuild(con)
        out = {k: v for k, v in asdict(summary).items() if k != "duplicates_of"}
        return {**out, "trends_seconds": trends.seconds}

    return _recorded("restory", database, {}, lock_timeout, work)


@flow(name="reextract")
def reextract(
    db: str | None = None,
    since: date | None = None,
    until: date | None = None,
    sources: list[str] | None = None,
    outdated: bool = False,
    batch_size: int = DEFAULT_REEXTRACT_BATCH,
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
) -> dict[str, Any]:
    """Extract stored articles again from their raw bodies (published in [since, until] and from
    ``sources`` when given; with ``outdated`` only those extracted with another extractor or
    other options), then re-tag, re-fold and refresh the trends of what changed, a batch per
    transaction. A run killed midway is resumed by the next one: what it re-extracted already
    is skipped."""
    database = db_path(db)
    params = {"since": str(since) if since else None, "until": str(until) if until else None,
              "sources": list(sources or []), "outdated": outdated,
              "batch_size": batch_size}  # fmt: skip
    window = (_day(since), _day(until + timedelta(days=1)) if until else None)

    def work() -> dict[str, Any]:
        from gigawatch import progress

        started = time.monotonic()
        taxonomy = taxonomy_path()
        configure_worker(str(taxonomy) if taxonomy else None)
        con = wh.connect(database, lock_timeout=lock_timeout)
        try:
            begun = reextract_store.resume_from(con)
            ids = reextract_store.candidates(con, *window, sources or [], outdated, begun)
        finally:
            con.close()
        summary = reextract_store.ReextractSummary()
        progress.report("reextract", 0, len(ids))
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            con = wh.connect(database, lock_timeout=lock_timeout)
            try:
                pages = reextract_store.read_pages(con, batch)
            finally:
                con.close()
            extracted = {e.fetch_id: e for e in extract_pages(pages)}
            with wh.writer(database, lock_timeout) as con:
                reextract_store.store_batch(con, pages, extracted, summary)
            pause_for_test("reextract")
            progress.report("reextract", start + len(batch), len(ids))
        out = {k: v for k, v in asdict(summary).items() if k != "changed_ids"}
        return {**out, "extractor": EXTRACTOR, "extract_options": EXTRACT_OPTIONS_JSON,
                "seconds": round(time.monotonic() - started, 3)}  # fmt: skip

    return _recorded("reextract", database, params, lock_timeout, work)


def _day(value: date | None) -> datetime | None:
    return datetime.combine(value, datetime.min.time(), tzinfo=UTC) if value else None
