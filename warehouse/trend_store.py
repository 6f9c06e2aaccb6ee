"""Keep the trend tables (migrations/0005_trends.sql) in step with articles, tags and stories.

The trend views (``org_weekly``, ``deals``, ``cooccurrence``, ``rising``…) read these tables,
so that a question over a million articles reads pre-aggregated rows. They are derived data,
written in the caller's transaction:

- ``refresh(con, ids)`` after a batch was loaded, tagged and folded (the ingest flows): the
  rows of those articles, of every article whose story or duplicate verdict changed meanwhile
  (found by comparing ``article_dedupe`` with ``trend_docs``), and of the weeks, stories and
  months they touch are recomputed; nothing else is read.
- ``rebuild(con)`` recomputes everything (``gigawatch retag`` and ``gigawatch restory``).
- ``ensure_current(con)`` rebuilds when the tables were computed by other SQL than the
  current ``warehouse/sql/trends_*.sql`` (an upgrade); ``warehouse.db.migrate`` calls it.

Both run the same statements; a refresh only restricts them to what changed, so that folding
batches one by one gives the same tables as a rebuild (tests/test_trend_store.py).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import duckdb

from warehouse.db import read_sql, sql_statements

# the statements of a refresh after the dirty articles are known, in order
STEPS = ("trends_articles", "trends_weekly", "trends_cooccurrence", "trends_deals")
TABLES = ("trend_docs", "trend_mentions", "trend_weekly", "trend_story_orgs",
          "trend_cooccurrence", "trend_deals")  # fmt: skip


@dataclass
class TrendRefresh:
    articles: int  # articles whose trend rows were recomputed
    stories: int  # stories whose ledger and organisations were recomputed
    weeks: int
    months: int
    seconds: float
    full: bool = False


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in sql_statements("trends_drop_temp"):
        con.execute(stmt)


@functools.cache
def sql_version() -> str:
    """Digest of the SQL that computes the trend tables: a change means a rebuild (read once
    per process: every batch asks)."""
    root = resources.files("warehouse") / "sql"
    digest = hashlib.sha1()
    for p in sorted(root.iterdir(), key=lambda p: p.name):
        if p.name.startswith("trends_") and p.name.endswith(".sql"):
            digest.update(p.name.encode())
            digest.update(p.read_bytes())
    return digest.hexdigest()[:16]


def stored_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT value FROM trend_state WHERE key = 'version'").fetchone()
    return row[0] if row else None


def _run(con: duckdb.DuckDBPyConnection, first: str, params: dict, full: bool) -> TrendRefresh:
    t0 = time.monotonic()
    try:
        for stmt in sql_statements(first):
            con.execute(stmt, params if "$ids" in stmt else {})
        for name in STEPS:
            for stmt in sql_statements(name):
                con.execute(stmt)
        counts = list(con.execute(read_sql("trends/refresh_counts")).fetchone())
    except BaseException:
        # after a failed statement the transaction is aborted and its rollback, by the
        # caller, discards the temporary tables with everything else
        with contextlib.suppress(duckdb.Error):
            _drop_temp(con)
        raise
    _drop_temp(con)
    if full:
        con.execute(
            "INSERT OR REPLACE INTO trend_state VALUES ('version', $v)", {"v": sql_version()}
        )
    return TrendRefresh(*counts, seconds=round(time.monotonic() - t0, 3), full=full)


def refresh(con: duckdb.DuckDBPyConnection, article_ids: Sequence[int]) -> TrendRefresh:
    """Recompute the trend rows touched by ``article_ids`` (loaded, tagged and folded in this
    transaction) and by any story or duplicate change since the last refresh. Rebuilds
    everything instead when the tables are stale (see :func:`ensure_current`)."""
    if stored_version(con) != sql_version():
        return rebuild(con)
    ids = sorted({int(i) for i in article_ids})
    return _run(con, "trends_dirty_batch", {"ids": ids}, full=False)


def rebuild(con: duckdb.DuckDBPyConnection) -> TrendRefresh:
    """Recompute every trend table from the stored articles, tags and stories."""
    return _run(con, "trends_dirty_all", {}, full=True)


def ensure_current(con: duckdb.DuckDBPyConnection) -> TrendRefresh | None:
    """Rebuild the trend tables, in a transaction of their own, when they were computed by
    other SQL than the current one (or never); None when they are current."""
    if stored_version(con) == sql_version():
        return None
    con.execute("BEGIN TRANSACTION")
    try:
        result = rebuild(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result
