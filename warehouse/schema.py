"""Create or upgrade a warehouse: migrations and views (``warehouse.db``), then the derived
tables of each store, rebuilt from their own DDL when it or the SQL computing them changed.

This is the only module that imports both ``db`` and the stores: ``db`` knows nothing of
dedupe or trends, and each store versions its own tables in ``derived_state``
(``warehouse/derived/<name>.sql``; ``db.derived_version``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse import db, dedupe_store, trend_store

# in this order: the trend tables are computed from the dedupe verdicts
DERIVED = (dedupe_store, trend_store)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, re-create the views, then bring every derived store up to
    date (``ensure_current``). Returns the names of the migrations applied now."""
    applied = db.migrate(con)
    for store in DERIVED:
        store.ensure_current(con)
    return applied


def ensure_schema(path: str | Path, lock_timeout: float = db.DEFAULT_LOCK_TIMEOUT) -> list[str]:
    """Create or upgrade the warehouse at ``path``; returns the migrations applied now."""
    con = db.connect(path, lock_timeout=lock_timeout)
    try:
        return migrate(con)
    finally:
        con.close()
