"""Export the warehouse as Parquet for other tools (pandas, Polars, Spark, another DuckDB).

``export_all`` writes every table and view of the warehouse to ``DIR/<name>/``, partitioned by
month in the Hive layout (``DIR/articles/month=2025-10/data_0.parquet``), so a reader can
skip the months it does not need::

    SELECT * FROM read_parquet('DIR/articles/*/*.parquet', hive_partitioning = true)

The month of a row is, in order of preference: the relation's own ``month`` column; the
first of its time columns (published_at, first_seen, week, day, fetched_at, started_at, ...);
else the month of its article (``article_id``) or story (``story_id``); relations with none of
these (``bodies``, ``schema_migrations``, ...) are written as one file, ``DIR/<name>/data.parquet``.
Times are taken in UTC. ``month`` is the partition key, so it lives in the folder names; it is a
``YYYY-MM`` string except for relations that have their own ``month`` (a DATE).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.db import read_sql

TIME_COLUMNS = (
    "published_at", "first_seen", "week", "day", "fetched_at", "started_at", "seen_at",
    "extracted_at", "tagged_at", "updated_at", "applied_at", "last_fetch",
)  # fmt: skip


@dataclass
class Exported:
    name: str
    kind: str  # table | view
    rows: int
    partitions: int  # months written, 0 when not partitioned
    path: Path
    seconds: float


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    """(name, 'table' | 'view', columns) of every table and view in the main schema."""
    rows = con.execute(read_sql("read/export_relations")).fetchall()
    return [(name, kind, list(cols)) for name, kind, cols in rows]


def quote_ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (``"my ""odd"" table"``)."""
    return '"' + name.replace('"', '""') + '"'


def copy_statement(name: str, columns: list[str]) -> tuple[str, dict[str, str], bool]:
    """The COPY (``warehouse/sql/read/export_*.sql``) writing ``name`` with its partition key
    ``month``, its parameters but ``$path``, and whether it is partitioned."""
    params = {"relation": quote_ident(name)}
    if "month" in columns:
        return read_sql("read/export_own_month"), params, True
    for col in TIME_COLUMNS:
        if col in columns:
            return read_sql("read/export_by_time"), {**params, "column": col}, True
    for key, sql in (("article_id", "export_by_article"), ("story_id", "export_by_story")):
        if key in columns:
            return read_sql(f"read/{sql}"), params, True
    return read_sql("read/export_whole"), params, False


def export_relation(
    con: duckdb.DuckDBPyConnection, name: str, kind: str, columns: list[str], out: Path
) -> Exported:
    started = time.perf_counter()
    target = out / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    copy, params, partitioned = copy_statement(name, columns)
    path = target if partitioned else target / "data.parquet"
    rows = con.execute(copy, {**params, "path": str(path)}).fetchall()[0][0]
    partitions = sum(1 for p in target.iterdir() if p.is_dir()) if partitioned else 0
    return Exported(name, kind, rows, partitions, target, time.perf_counter() - started)


def export_all(
    con: duckdb.DuckDBPyConnection, out: Path, only: list[str] | None = None
) -> list[Exported]:
    """Write every table and view (or those named in ``only``) under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for name, kind, columns in relations(con):
        if only and name not in only:
            continue
        done.append(export_relation(con, name, kind, columns, out))
    return done
