"""Paths and defaults shared by the CLI and the flows."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data/gigawatch.duckdb")
DEFAULT_SOURCES = Path("sources.toml")
# Pages per extract/store batch (one transaction each). Storing a batch has a fixed cost (a
# connection, the known-bodies and dedupe queries, the trend refresh: ~0.3 CPU-s), and a
# batch's pages and DuckDB's work on them are in memory while it is stored. gigawatch run on
# bench_ingest's 2,000 pages (BENCHMARKS.md): the flow process's CPU 21.0 / 16.4 / 14.7 /
# 13.9 s and the process tree's peak 719 / 733 / 812 / 894 MB with 100 / 250 / 500 / 1,000.
# A slow crawl still stores what it has every FLUSH_SECONDS (flows/pipeline.py).
DEFAULT_BATCH_SIZE = 250
# On Dask each batch is one Prefect task, which takes ~0.2 s to start on a worker (Prefect
# rebuilds its settings there) plus the pages' and results' transfer: 9.0 / 5.1 / 4.5 % of the
# batch's extraction time at 100 / 250 / 500 pages (bench/bench_dask.py, BENCHMARKS.md).
DASK_BATCH_SIZE = 500
DEFAULT_LOCK_TIMEOUT = 60.0  # seconds a writer waits for another process writing the database


def batch_size_for(batch_size: int | None, distributed: bool) -> int:
    """``batch_size``, or the default for where the batches are extracted."""
    if batch_size is not None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        return batch_size
    return DASK_BATCH_SIZE if distributed else DEFAULT_BATCH_SIZE


def db_path(value: str | Path | None = None) -> Path:
    """The database: an explicit value, else ``$GIGAWATCH_DB``, else ``data/gigawatch.duckdb``."""
    if value:
        return Path(value)
    return Path(os.environ.get("GIGAWATCH_DB") or DEFAULT_DB)


def run_dir(db: Path, run_id: str) -> Path:
    """Working folder of one run (crawl spool and log), next to the database."""
    return db.parent / "runs" / run_id


def taxonomy_path(value: str | Path | None = None) -> Path | None:
    """The taxonomy file: an explicit value, else ``$GIGAWATCH_TAXONOMY``, else None (the
    bundled ``gigawatch/defaults/taxonomy.toml``)."""
    if value:
        return Path(value)
    env = os.environ.get("GIGAWATCH_TAXONOMY")
    return Path(env) if env else None
