"""Run records (``flow_runs``, ``run_source_counts``) and the HTTP validators a run keeps.

Every writing flow runs inside :func:`recorded_run`: the run lock, the schema brought up to
date, the run recorded as started, and recorded as failed if its work raises. The work
records the end itself (:func:`finish_run`, in its last transaction, as the ingest does with
its validators) or hands its summary back (``run.summary``) to be recorded as completed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse import db, schema
from warehouse.sqlfiles import read_sql


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, params: dict) -> None:
    """Record a run as started, and mark runs that died without finishing as interrupted."""
    con.execute(read_sql("runs/mark_interrupted"), {"run_id": run_id})
    con.execute(
        read_sql("runs/start"),
        {"run_id": run_id, "flow": flow, "params": json.dumps(params),
         "started_at": datetime.now(UTC)},
    )  # fmt: skip


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    summary: dict[str, Any],
) -> None:
    """Record the end of a run and its per-source counts."""
    con.execute(
        read_sql("runs/finish"),
        {"finished_at": datetime.now(UTC), "status": status,
         "summary": json.dumps(summary, default=str), "run_id": run_id},
    )  # fmt: skip
    keys = ("source", "pages_fetched", "not_modified", "skipped_known", "articles_new",
            "duplicates", "errors")  # fmt: skip
    rows = [{"run_id": run_id, **{k: r[k] for k in keys}} for r in summary.get("sources", [])]
    if rows:
        con.executemany(read_sql("runs/source_counts"), rows)


def run_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """Per-source counts of one run, from its fetch records (``sql/run_summary.sql``)."""
    cur = con.execute(read_sql("run_summary"), {"run_id": run_id})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def save_validators(
    con: duckdb.DuckDBPyConnection, validators: dict[str, tuple[str, dict[str, str | None]]]
) -> None:
    """Remember ETag/Last-Modified of feeds and sitemaps read completely in this run."""
    rows = [
        {
            "url": url,
            "source": source,
            "etag": v.get("etag"),
            "last_modified": v.get("last_modified"),
        }
        for url, (source, v) in validators.items()
        if v.get("etag") or v.get("last_modified")
    ]
    if rows:
        con.executemany(read_sql("upsert_validator"), rows)


def load_validators(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str | None]]:
    rows = con.execute(read_sql("load_validators")).fetchall()
    return {url: {"etag": etag, "last_modified": lm} for url, etag, lm in rows}


def ended_runs(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The ids of the runs that are over (not ``running``)."""
    return {r[0] for r in con.execute(read_sql("runs/ended")).fetchall()}


@dataclass
class RecordedRun:
    """The run :func:`recorded_run` yields. Work that does not record its own end sets
    ``summary``: it is recorded with ``status`` when the work returns."""

    run_id: str
    summary: dict[str, Any] | None = None
    status: str = "completed"


@contextmanager
def recorded_run(
    database: str | Path,
    flow: str,
    params: dict[str, Any],
    *,
    run_id: str,
    lock_timeout: float = db.DEFAULT_LOCK_TIMEOUT,
    on_start: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> Iterator[RecordedRun]:
    """Hold the run lock of ``database`` for the whole run, create or upgrade its schema,
    record the run as started (its own transaction, in which ``on_start(con)`` runs too),
    and as failed, with the error, if the work inside raises (the error propagates)."""
    with db.run_lock(database, lock_timeout):
        schema.ensure_schema(database, lock_timeout)
        with db.writer(database, lock_timeout) as con:
            start_run(con, run_id, flow, params)
            if on_start is not None:
                on_start(con)
        run = RecordedRun(run_id)
        try:
            yield run
        except BaseException as exc:
            with db.writer(database, lock_timeout) as con:
                finish_run(con, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
            raise
        if run.summary is not None:
            with db.writer(database, lock_timeout) as con:
                finish_run(con, run_id, run.status, run.summary)
