"""Flows that rebuild derived data from stored articles, without crawling: ``retag`` and
``restory``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import flow
from prefect.artifacts import create_table_artifact

from flows.pipeline import current_run_id
from gigawatch.settings import db_path, taxonomy_path
from warehouse import db as wh
from warehouse import trend_store
from warehouse.dedupe_store import rebuild
from warehouse.runs import recorded_run
from warehouse.tags import retag as retag_history


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
