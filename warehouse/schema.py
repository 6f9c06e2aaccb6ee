"""Create or upgrade a warehouse: migrations and macros (``warehouse.db``), the derived
tables of each store, rebuilt from their own DDL when it or the SQL computing them changed,
then the views over them.

This is the only module that imports both ``db`` and the stores: ``db`` knows nothing of
dedupe or trends, and each store versions its own tables in ``derived_state``
(``warehouse/derived/<name>.sql``; ``db.derived_version``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse import db, dedupe_store, lake_catalog, trend_store

# in this order: the trend tables are computed from the dedupe verdicts
DERIVED = (dedupe_store, trend_store)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations and the macros, bring every derived store up to date
    (``ensure_current``), then re-create the views, which read the derived tables. Returns the
    names of the migrations applied now. On a lake catalogue, pending migrations see its base
    tables as tables (``lake_catalog.tables_for_migrations``)."""
    with lake_catalog.tables_for_migrations(con):  # a lake catalogue's views: tables again
        applied = db.migrate(con)
    for store in DERIVED:
        store.ensure_current(con)
    db.create_views(con)
    return applied


def ensure_schema(path: str | Path, lock_timeout: float = db.DEFAULT_LOCK_TIMEOUT) -> list[str]:
    """Create or upgrade the warehouse at ``path``; returns the migrations applied now."""
    con = db.connect(path, lock_timeout=lock_timeout)
    try:
        return migrate(con)
    finally:
        con.close()
