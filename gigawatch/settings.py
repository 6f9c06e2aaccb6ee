"""Paths and defaults shared by the CLI and the flows."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data/gigawatch.duckdb")
DEFAULT_SOURCES = Path("sources.toml")
DEFAULT_BATCH_SIZE = 100
DEFAULT_LOCK_TIMEOUT = 60.0  # seconds a writer waits for another process writing the database


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
