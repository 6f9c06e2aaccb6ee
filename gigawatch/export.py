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

TIME_COLUMNS = (
    "published_at", "first_seen", "week", "day", "fetched_at", "started_at", "seen_at",
    "extracted_at", "tagged_at", "updated_at", "applied_at", "last_fetch",
)  # fmt: skip
_MONTH = "strftime(make_timestamp(epoch_us(CAST({col} AS TIMESTAMPTZ))), '%Y-%m')"


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
    rows = con.execute(
        """
        SELECT table_name,
               CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END,
               list(column_name ORDER BY ordinal_position)
        FROM information_schema.columns
        JOIN information_schema.tables USING (table_catalog, table_schema, table_name)
        WHERE table_schema = 'main' AND table_catalog = current_database()
        GROUP BY ALL
        ORDER BY 2, 1
        """
    ).fetchall()
    return [(name, kind, list(cols)) for name, kind, cols in rows]


def month_query(name: str, columns: list[str]) -> tuple[str, bool]:
    """SQL selecting every column of ``name`` plus its partition key ``month``, and whether
    there is one."""
    q = f'"{name}"'
    if "month" in columns:
        return f"SELECT * FROM {q}", True
    for col in TIME_COLUMNS:
        if col in columns:
            return f"SELECT *, {_MONTH.format(col=col)} AS month FROM {q}", True
    for key in ("article_id", "story_id"):
        if key in columns:
            when = _MONTH.format(col="coalesce(d.published_at, d.fetched_at)")
            return (
                f"SELECT r.*, {when} AS month FROM {q} AS r "
                f"LEFT JOIN documents AS d ON d.article_id = r.{key}",
                True,
            )
    return f"SELECT * FROM {q}", False


def export_relation(
    con: duckdb.DuckDBPyConnection, name: str, kind: str, columns: list[str], out: Path
) -> Exported:
    started = time.perf_counter()
    target = out / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    sql, partitioned = month_query(name, columns)
    if partitioned:
        copy = (f"COPY ({sql}) TO '{_sql_path(target)}' "
                "(FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'data_{i}')")  # fmt: skip
    else:
        copy = f"COPY ({sql}) TO '{_sql_path(target / 'data.parquet')}' (FORMAT parquet)"
    rows = con.execute(copy).fetchall()[0][0]  # COPY answers with the number of rows written
    partitions = sum(1 for p in target.iterdir() if p.is_dir()) if partitioned else 0
    return Exported(name, kind, rows, partitions, target, time.perf_counter() - started)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


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
