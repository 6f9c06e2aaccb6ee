"""Keep the trend tables (derived/trends.sql) in step with articles, tags and stories.

The trend views (``org_weekly``, ``deals``, ``cooccurrence``, ``rising``…) read these tables,
so that a question over a million articles reads pre-aggregated rows. They are derived data,
written in the caller's transaction:

- ``refresh(con, ids)`` after a batch was loaded, tagged and folded (the ingest flows): the
  rows of those articles, of every article whose story or duplicate verdict changed meanwhile
  (found by comparing ``article_dedupe`` with ``trend_docs``), and of the weeks, stories and
  months they touch are recomputed; nothing else is read.
- ``rebuild(con)`` drops and re-creates the tables from ``derived/trends.sql`` and
  recomputes everything (``gigawatch retag`` and ``gigawatch restory``).
- ``ensure_current(con)`` rebuilds when the tables were built by another DDL or SQL than the
  current ``derived/trends.sql`` and ``warehouse/sql/trends_*.sql`` (an upgrade, or never
  built): their digest in ``derived_state`` ('trends') differs. ``warehouse.schema`` calls it.

Both run the same statements; a refresh only restricts them to what changed, so that folding
batches one by one gives the same tables as a rebuild (tests/test_trend_store.py).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from warehouse.db import derived_version, read_sql, reset_derived, set_derived_version
from warehouse.sqlfiles import digest, sql_statements

NAME = "trends"  # derived/trends.sql, and its row in derived_state
# what the tables are built from: a change to any of these files means a rebuild (the macros
# too: the trend SQL calls utc_day, utc_week and utc_month)
SOURCES = ("derived/trends.sql", "sql/trends_*.sql", "sql/trends/*.sql", "views/00_macros.sql")

# the statements of a refresh after the dirty articles are known, in order
STEPS = ("trends_articles", "trends_weekly", "trends_cooccurrence", "trends_deals",
         "trends_stories")  # fmt: skip
TABLES = ("trend_docs", "trend_mentions", "trend_weekly", "trend_story_orgs",
          "trend_cooccurrence", "trend_deals", "trend_story_members", "trend_stories")  # fmt: skip


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
    """Digest of the DDL and SQL that build the trend tables: a change means a rebuild (read
    once per process: every batch asks)."""
    return digest(*SOURCES)


def stored_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The digest the stored tables were built with (``derived_state``), None if never."""
    return derived_version(con, NAME)


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
        set_derived_version(con, NAME, sql_version())
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
    """Re-create every trend table from ``derived/trends.sql`` and recompute it from the
    stored articles, tags and stories, in the caller's transaction."""
    reset_derived(con, NAME)
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
